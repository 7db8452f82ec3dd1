//! Running child processes: plainly, or with output echoed live and kept for parsing.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;

use crate::Result;

/// Runs `cmd` with inherited output; fails on a non-zero exit.
pub fn exec(cmd: &mut Command) -> Result {
    let status = cmd.status().map_err(|e| format!("cannot start {}: {e}", describe(cmd)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{} exited with {status}", describe(cmd)))
    }
}

/// Runs `cmd`, echoing stdout and stderr as they come, and returns (success, combined output).
pub fn run_teed(cmd: &mut Command) -> Result<(bool, String)> {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", describe(cmd)))?;
    let (tx, rx) = mpsc::channel::<String>();
    let pumps: Vec<_> = [
        Box::new(child.stdout.take().expect("piped")) as Box<dyn Read + Send>,
        Box::new(child.stderr.take().expect("piped")),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, stream)| {
        let tx = tx.clone();
        thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(|l| l.ok()) {
                if i == 0 {
                    println!("{line}");
                } else {
                    eprintln!("{line}");
                }
                let _ = tx.send(line);
            }
        })
    })
    .collect();
    drop(tx);
    let output: Vec<String> = rx.iter().collect();
    for pump in pumps {
        let _ = pump.join();
    }
    let status = child.wait().map_err(|e| format!("waiting for {}: {e}", describe(cmd)))?;
    Ok((status.success(), output.join("\n")))
}

/// Runs `cmd` quietly and returns its trimmed stdout, or None if it cannot run or fails.
pub fn read(cmd: &mut Command) -> Option<String> {
    let out = cmd.stderr(Stdio::null()).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// A tool installed by `cargo install`, by absolute path so PATH does not matter.
pub fn cargo_bin(name: &str) -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from(".cargo"));
    home.join("bin").join(name)
}

/// A binary from js-tests/node_modules/.bin.
pub fn npm_bin(name: &str) -> PathBuf {
    crate::root().join("js-tests/node_modules/.bin").join(name)
}

fn describe(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for arg in cmd.get_args() {
        s.push(' ');
        s.push_str(&arg.to_string_lossy());
    }
    s
}
