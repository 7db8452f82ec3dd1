//! `cargo xtask test`: setup, build, then every suite. Each suite must pass and run at least one
//! test; the run ends with one line `N passed, N failed`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::counts::{parse, Counts, Format};
use crate::shell::{cargo_bin, npm_bin, run_teed};
use crate::{build, root, setup, Result};

struct Suite {
    name: &'static str,
    command: Command,
    format: Format,
}

struct Outcome {
    name: &'static str,
    counts: Counts,
    ok: bool,
    seconds: f64,
    note: &'static str,
}

pub fn run() -> Result {
    let started = Instant::now();
    setup::run()?;
    let root = root();
    let mut outcomes = Vec::new();

    // The lint gate first: it is quick and says the most about a change.
    for (name, command) in lint_checks(&root) {
        outcomes.push(run_check(name, command));
    }
    // Native suites next: they need no wasm build.
    outcomes.push(run_suite(native_tests(&root)));
    outcomes.push(run_check("no_std build", core_without_std(&root)));
    outcomes.push(run_suite(hf_xet_store(&root)));
    outcomes.push(run_suite(hf_xet_restores_ours(&root)));
    outcomes.push(with_localhub("conformance: Python clients", |url| {
        let mut command = Command::new(setup::peers_python());
        command.arg(root.join("peers/conformance_hub.py")).arg(url).current_dir(&root);
        Suite { name: "conformance: Python clients", command, format: Format::Plain }
    }));
    outcomes.push(with_localhub("conformance: npm clients", |url| {
        let mut command = Command::new("node");
        command.arg("conformance/official-js.mjs").arg(url).current_dir(root.join("js-tests"));
        Suite { name: "conformance: npm clients", command, format: Format::Plain }
    }));
    outcomes.push(with_localhub("conformance: hub.js specs", |url| {
        let mut command = Command::new("node");
        command.arg("run.mjs").arg(url).current_dir(root.join("peers/hubjs-specs"));
        Suite { name: "conformance: hub.js specs", command, format: Format::Plain }
    }));

    let build_started = Instant::now();
    let build_result = build::run();
    if let Err(e) = &build_result {
        eprintln!("xtask: build failed: {e}");
    }
    outcomes.push(Outcome {
        name: "wasm build + package",
        counts: Counts { passed: u64::from(build_result.is_ok()), failed: u64::from(build_result.is_err()) },
        ok: build_result.is_ok(),
        seconds: build_started.elapsed().as_secs_f64(),
        note: "check",
    });
    if build_result.is_ok() {
        // One localhub for the js suites, seeded once; a fixture failure fails them (their hub
        // scenarios find no context) rather than skipping them.
        let fixtures = HubFixtures::start(&root).map_err(|e| eprintln!("xtask: hub fixtures: {e}")).ok();
        for mut suite in packaged_suites(&root) {
            if let Some(fixtures) = &fixtures {
                suite.command.env(HUB_CONTEXT_ENV, &fixtures.manifest);
            }
            outcomes.push(run_suite(suite));
        }
        if let Some(fixtures) = &fixtures {
            outcomes.extend(upload_post_checks(&root, &fixtures._server.url).into_iter().map(run_suite));
        }
        drop(fixtures);
        outcomes.push(run_check("types (tsc --noEmit)", typecheck(&root)));
    }

    report(&outcomes, started.elapsed().as_secs_f64())
}

/// `cargo fmt --check` over the workspace and the fuzz crate (a workspace of its own), and clippy with
/// warnings denied, natively and for wasm32 (the wasm crate's code only compiles there).
fn lint_checks(root: &Path) -> Vec<(&'static str, Command)> {
    let cargo = |args: &[&str]| {
        let mut command = Command::new("cargo");
        command.args(args).current_dir(root);
        command
    };
    vec![
        ("fmt (cargo fmt --check)", cargo(&["fmt", "--all", "--check"])),
        ("fmt fuzz/", cargo(&["fmt", "--check", "--manifest-path", "fuzz/Cargo.toml"])),
        ("clippy native", cargo(&["clippy", "--workspace", "--all-targets", "--quiet", "--", "-D", "warnings"])),
        (
            "clippy wasm32",
            cargo(&[
                "clippy",
                "--package",
                "hubwasm",
                "--target",
                "wasm32-unknown-unknown",
                "--all-targets",
                "--quiet",
                "--",
                "-D",
                "warnings",
            ]),
        ),
    ]
}

fn native_tests(root: &Path) -> Suite {
    let mut command = Command::new("cargo");
    command.args(["test", "--workspace"]).current_dir(root);
    Suite { name: "native (cargo test)", command, format: Format::Cargo }
}

/// Xorbs and shards written by the official hf_xet, decoded by hubwasm-core (an ignored test
/// that needs the peers venv).
fn hf_xet_store(root: &Path) -> Suite {
    let mut command = Command::new("cargo");
    command
        .args(["test", "--package", "hubwasm-core", "--test", "hf_xet_store", "--", "--ignored"])
        .env("HUBWASM_PEERS_PYTHON", setup::peers_python())
        .current_dir(root);
    Suite { name: "peers: hf_xet store", command, format: Format::Cargo }
}

/// Xorbs and a shard written by hubwasm-core's upload planner, stored by localhub, restored by
/// the official hf_xet and huggingface_hub (an ignored localhub test that needs the peers venv).
fn hf_xet_restores_ours(root: &Path) -> Suite {
    let mut command = Command::new("cargo");
    command
        .args(["test", "--package", "localhub", "--test", "hf_xet_restore", "--", "--ignored"])
        .env("HUBWASM_PEERS_PYTHON", setup::peers_python())
        .current_dir(root);
    Suite { name: "peers: hf_xet restores ours", command, format: Format::Cargo }
}

/// Runs a suite against a fresh localhub; a server that does not start fails the suite.
fn with_localhub(name: &'static str, suite: impl FnOnce(&str) -> Suite) -> Outcome {
    match crate::localhub::Localhub::start(&name.replace([' ', ':'], "-")) {
        Ok(server) => run_suite(suite(&server.url)),
        Err(e) => {
            eprintln!("xtask: {e}");
            Outcome { name, counts: Counts { passed: 0, failed: 1 }, ok: false, seconds: 0.0, note: "" }
        }
    }
}

/// The variable through which the js runners find the seeded localhub: the path of the manifest
/// that peers/seed_fixtures.py printed (it holds the Hub's URL, the tokens and the fixtures).
const HUB_CONTEXT_ENV: &str = "HUBWASM_TEST_HUB";

/// A localhub with the fixtures the official Python client wrote into it (stopped when dropped).
struct HubFixtures {
    _server: crate::localhub::Localhub,
    manifest: PathBuf,
}

impl HubFixtures {
    fn start(root: &Path) -> Result<Self> {
        let server = crate::localhub::Localhub::start("js-scenarios")?;
        println!("\n=== seeding hub fixtures (peers/seed_fixtures.py) ===");
        let output = Command::new(setup::peers_python())
            .arg(root.join("peers/seed_fixtures.py"))
            .arg(&server.url)
            .env("LOCALHUB_ADMIN_TOKEN", crate::localhub::ADMIN_TOKEN)
            .current_dir(root)
            .stderr(std::process::Stdio::inherit())
            .output()
            .map_err(|e| format!("running seed_fixtures.py: {e}"))?;
        if !output.status.success() {
            return Err(format!("seed_fixtures.py failed ({})", output.status));
        }
        let manifest = root.join("target").join(format!("hub-fixtures-{}.json", std::process::id()));
        std::fs::write(&manifest, &output.stdout).map_err(|e| format!("{}: {e}", manifest.display()))?;
        Ok(HubFixtures { _server: server, manifest })
    }
}

/// `cargo xtask hub`: the js suites' seeded localhub for running one suite or scenario by hand
/// (`HUBWASM_TEST_HUB=… node runners/node.test.js`); stops, and its data goes, when stdin closes.
pub fn serve_fixtures() -> Result {
    let fixtures = HubFixtures::start(&root())?;
    println!("\nexport {HUB_CONTEXT_ENV}={}", fixtures.manifest.display());
    println!("(running; close stdin or press Enter to stop)");
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
    Ok(())
}

impl Drop for HubFixtures {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.manifest);
    }
}

fn core_without_std(root: &Path) -> Command {
    let mut command = Command::new("cargo");
    command.args(["build", "--package", "hubwasm-core", "--target", "thumbv7em-none-eabihf"]).current_dir(root);
    command
}

fn typecheck(root: &Path) -> Command {
    let mut command = Command::new(npm_bin("tsc"));
    command.args(["--noEmit", "-p", "types/tsconfig.json"]).current_dir(root.join("js-tests"));
    command
}

/// Suites that run the built wasm: wasm-bindgen tests, then the js scenarios in each runtime,
/// then the packed tarball installed like a user would.
fn packaged_suites(root: &Path) -> Vec<Suite> {
    let js = root.join("js-tests");
    let wasm_pack = |browser: bool| {
        let mut command = Command::new(cargo_bin("wasm-pack"));
        command.env("PATH", path_with_cargo_bin()).current_dir(root);
        if browser {
            // Only the core test binaries: the page of tests/web.rs (which links every JS snippet of the
            // crate) stalls at "Loading scripts..." on wasm-bindgen-test-runner's file server once it
            // imports seven snippets. Its tests run in Node here, and the same APIs run in Chromium in
            // the js scenarios (the packaged module, a real page).
            command
                .args(["test", "--headless", "--chrome", "--", "--test", "core_parsers_wasm", "--test", "xet_wasm"])
                .env("WASM_BINDGEN_USE_BROWSER", "1")
                .env("CHROMEDRIVER", "/usr/bin/chromedriver");
        } else {
            command.args(["test", "--node"]);
        }
        command
    };
    let node = |args: &[&str]| {
        let mut command = Command::new("node");
        command.args(args).current_dir(&js);
        command
    };
    let mut deno = Command::new(npm_bin("deno"));
    // --allow-net for localhub, --allow-env for the variable that names its fixtures,
    // --allow-write for the Hugging Face cache folder (`cache: "auto"`) in its temporary HF_HOME.
    deno.args([
        "test",
        "--allow-read",
        "--allow-write",
        "--allow-net",
        "--allow-env",
        "--no-check",
        "runners/deno.test.js",
    ])
    .env("NO_COLOR", "1")
    .env("DENO_NO_UPDATE_CHECK", "1")
    .current_dir(&js);
    // examples/deno/download.js run by its own test against the same seeded localhub.
    let mut deno_example = Command::new(npm_bin("deno"));
    deno_example
        .args(["test", "--allow-read", "--allow-write", "--allow-net", "--allow-env", "download_test.js"])
        .env("NO_COLOR", "1")
        .env("DENO_NO_UPDATE_CHECK", "1")
        .current_dir(root.join("examples/deno"));
    // examples/node scripts, each run by its command line against the same seeded localhub.
    let mut node_example = Command::new("node");
    node_example.args(["--test", "--test-reporter=tap", "examples.test.mjs"]).current_dir(root.join("examples/node"));
    // examples/web-upload built by Vite and driven in Chromium; the Python client checks its commits.
    let mut web_upload = node(&["runners/web-upload.js"]);
    web_upload.env("HUBWASM_PEERS_PYTHON", setup::peers_python());
    // examples/deno/chat.js, and the Cloudflare Worker example under Miniflare with its test client.
    let mut deno_chat = Command::new(npm_bin("deno"));
    deno_chat
        .args(["test", "--allow-read", "--allow-net", "--allow-env", "chat_test.js"])
        .env("NO_COLOR", "1")
        .env("DENO_NO_UPDATE_CHECK", "1")
        .current_dir(root.join("examples/deno"));
    let mut worker_example = Command::new("node");
    worker_example.arg("test.mjs").current_dir(root.join("examples/cloudflare-worker"));
    vec![
        Suite { name: "wasm node (wasm-pack)", command: wasm_pack(false), format: Format::Cargo },
        Suite { name: "wasm chromium (wasm-pack)", command: wasm_pack(true), format: Format::Cargo },
        Suite {
            name: "js node",
            command: node(&["--test", "--test-reporter=tap", "runners/node.test.js"]),
            format: Format::NodeTap,
        },
        Suite { name: "js deno", command: deno, format: Format::Deno },
        Suite { name: "example deno (examples/deno)", command: deno_example, format: Format::Deno },
        Suite { name: "example node (examples/node)", command: node_example, format: Format::NodeTap },
        Suite { name: "js workerd", command: node(&["runners/workerd.js"]), format: Format::Plain },
        Suite { name: "js chromium", command: node(&["runners/chromium.js"]), format: Format::Plain },
        Suite { name: "packaging (npm pack)", command: node(&["runners/packaging.js"]), format: Format::Plain },
        Suite { name: "example web-upload (Vite app, Chromium)", command: web_upload, format: Format::Plain },
        Suite {
            name: "cache in Chromium (OPFS, IndexedDB)",
            command: node(&["runners/cache-browser.js"]),
            format: Format::Plain,
        },
        Suite {
            name: "bundlers (vite webpack esbuild wrangler)",
            command: node(&["runners/bundlers.js"]),
            format: Format::Plain,
        },
        Suite { name: "peers: hf_xet referee", command: node(&["peers/hf-xet.js"]), format: Format::Plain },
        Suite { name: "peers: Python cache interop (node)", command: cache_interop(root, None), format: Format::Plain },
        Suite {
            name: "peers: Python cache interop (deno)",
            command: cache_interop(root, Some(npm_bin("deno"))),
            format: Format::Plain,
        },
        Suite { name: "example deno chat (examples/deno)", command: deno_chat, format: Format::Deno },
        Suite { name: "example cloudflare-worker (Miniflare)", command: worker_example, format: Format::Plain },
        Suite {
            name: "peers: @huggingface/inference referee",
            command: node(&["peers/inference.js"]),
            format: Format::Plain,
        },
    ]
}

/// js-tests/peers/hub-cache-python.js: hubwasm and Python's huggingface_hub sharing one cache folder,
/// in Node or (given its binary) Deno, which needs write access for the cache and run for Python.
fn cache_interop(root: &Path, deno: Option<PathBuf>) -> Command {
    let mut command = match deno {
        Some(deno) => {
            let mut command = Command::new(deno);
            command.args(["run", "--allow-read", "--allow-write", "--allow-net", "--allow-env", "--allow-run"]);
            command.env("NO_COLOR", "1").env("DENO_NO_UPDATE_CHECK", "1");
            command
        }
        None => Command::new("node"),
    };
    command
        .arg("peers/hub-cache-python.js")
        .env("HUBWASM_PEERS_PYTHON", setup::peers_python())
        .current_dir(root.join("js-tests"));
    command
}

fn run_suite(mut suite: Suite) -> Outcome {
    println!("\n=== {} ===", suite.name);
    let started = Instant::now();
    let hf_home = FreshHfHome::new();
    suite.command.env("HF_HOME", &hf_home.0).env("HF_HUB_CACHE", hf_home.0.join("hub"));
    let (success, output) = match run_teed(&mut suite.command) {
        Ok(result) => result,
        Err(e) => {
            eprintln!("xtask: {e}");
            (false, String::new())
        }
    };
    let counts = parse(suite.format, &output);
    // A suite that ran nothing proves nothing: count it as failed.
    let ok = success && counts.failed == 0 && counts.passed > 0;
    Outcome { name: suite.name, counts, ok, seconds: started.elapsed().as_secs_f64(), note: "" }
}

/// An empty Hugging Face home for one suite, removed after it: `cache: "auto"` (hubwasm's default)
/// writes to `HF_HUB_CACHE`, and a test run must never touch the real `~/.cache/huggingface`.
struct FreshHfHome(PathBuf);

impl FreshHfHome {
    fn new() -> Self {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
        let dir = std::env::temp_dir().join(format!("hubwasm-hf-home-{}-{nanos}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        FreshHfHome(dir)
    }
}

impl Drop for FreshHfHome {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A single pass/fail step (a build or a type check), counted as one test.
fn run_check(name: &'static str, mut command: Command) -> Outcome {
    println!("\n=== {name} ===");
    let started = Instant::now();
    let ok = crate::shell::exec(&mut command).map_err(|e| eprintln!("xtask: {e}")).is_ok();
    Outcome {
        name,
        counts: Counts { passed: u64::from(ok), failed: u64::from(!ok) },
        ok,
        seconds: started.elapsed().as_secs_f64(),
        note: "check",
    }
}

fn report(outcomes: &[Outcome], seconds: f64) -> Result {
    println!("\n=== summary ({seconds:.0} s) ===");
    let mut total = Counts::default();
    for o in outcomes {
        total.add(o.counts);
        let verdict = if o.ok { "ok  " } else { "FAIL" };
        let why = if !o.ok && o.counts.passed == 0 && o.counts.failed == 0 { " (ran no test)" } else { "" };
        let kind = if o.note.is_empty() { String::new() } else { format!(" [{}]", o.note) };
        println!(
            "{verdict} {:<28} {:>5} passed {:>3} failed {:>7.1} s{kind}{why}",
            o.name, o.counts.passed, o.counts.failed, o.seconds
        );
    }
    let all_ok = outcomes.iter().all(|o| o.ok);
    if !all_ok && total.failed == 0 {
        total.failed = outcomes.iter().filter(|o| !o.ok).count() as u64;
    }
    println!("{} passed, {} failed", total.passed, total.failed);
    if all_ok {
        Ok(())
    } else {
        Err("some suites failed".into())
    }
}

fn path_with_cargo_bin() -> std::ffi::OsString {
    let bin: PathBuf = cargo_bin("wasm-pack").parent().map(Path::to_path_buf).unwrap_or_default();
    let mut paths = vec![bin];
    paths.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
    std::env::join_paths(paths).unwrap_or_default()
}

/// The files the hub-commit scenario uploaded through hubwasm in each of the four js runtimes,
/// downloaded by the official clients and compared with the scenario's WebCrypto SHA-256s.
fn upload_post_checks(root: &Path, hub_url: &str) -> Vec<Suite> {
    const RUNTIMES: &str = "4";
    let mut python = Command::new(setup::peers_python());
    python.arg(root.join("peers/check_uploads.py")).args([hub_url, RUNTIMES]).current_dir(root);
    let mut node = Command::new("node");
    node.args(["conformance/check-uploads.mjs", hub_url, RUNTIMES]).current_dir(root.join("js-tests"));
    vec![
        Suite { name: "interop: hubwasm uploads read by huggingface_hub", command: python, format: Format::Plain },
        Suite { name: "interop: hubwasm uploads read by @huggingface/hub", command: node, format: Format::Plain },
    ]
}
