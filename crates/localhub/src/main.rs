//! `localhub --data DIR --port N [--host 127.0.0.1] [--user NAME:TOKEN:ROLE]… [--org ORG:USERS]… [--faults JSON]
//! [--token-delay-ms MS] [--admin-token T] [--cors-origin O]… [--cors-any] [--provider-key K]…`: runs a local
//! Hugging Face Hub until interrupted.

use std::path::PathBuf;

const USAGE: &str = "usage: localhub [--data DIR] [--port N] [--host HOST] [--storage-port N] [--user NAME:TOKEN:read|write]... [--org ORG:USER,…]... \
[--faults JSON] [--token-delay-ms MS] [--admin-token T] [--cors-origin ORIGIN]... [--cors-any] [--provider-key K]...

  --data DIR          where repos, objects and the database live (default: a new temp dir)
  --port N            0 picks a free port (default 8080)
  --host HOST         default 127.0.0.1
  --storage-port N    port of the presigned-storage origin (default: a free port)
  --user N:T:R        add a user with a token of role read or write (repeatable)
  --org O:U1,U2       add an organisation with these members (repeatable)
  --faults JSON       inject failures, e.g. '[{\"route\":\"/api/\",\"kind\":\"rate-limit\",\"retryAfter\":1,\"count\":2}]'
  --token-delay-ms MS delay between streamed chat tokens
  --admin-token T     open /admin (faults, token delay) to `Authorization: Bearer T`; off by default
  --cors-origin O     let pages of origin O read answers (repeatable); loopback origins always may
  --cors-any          let pages of any origin read answers (tests only: a web page could then drive
                      this server with the demo token)
  --provider-key K    accept K as bearer on the inference router besides localhub tokens (repeatable)

The demo user `demo` (member of `demo-org`) has the write token hf_localhub_demo_write_token and the read
token hf_localhub_demo_read_token.";

fn main() {
    let config = match parse(std::env::args().skip(1).collect()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("localhub: {e}\n\n{USAGE}");
            std::process::exit(2);
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    runtime.block_on(async move {
        let data = config.data.clone();
        let server = match localhub::start(config).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("localhub: cannot start: {}", e.message);
                std::process::exit(1);
            }
        };
        println!("localhub data: {}", data.display());
        println!("localhub storage at {}", server.storage_url);
        println!("localhub ready at {}", server.url);
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = server.wait() => {}
        }
    });
}

fn parse(args: Vec<String>) -> Result<localhub::Config, String> {
    let mut config = localhub::Config { port: 8080, ..localhub::Config::new(PathBuf::new()) };
    let mut it = args.into_iter();
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--data" => config.data = PathBuf::from(value()?),
            "--port" => config.port = value()?.parse().map_err(|_| "--port takes a number".to_string())?,
            "--host" => config.host = value()?,
            "--storage-port" => {
                config.storage_port = value()?.parse().map_err(|_| "--storage-port takes a number".to_string())?
            }
            "--user" => {
                let v = value()?;
                let parts: Vec<&str> = v.splitn(3, ':').collect();
                match parts.as_slice() {
                    [name, token, role @ ("read" | "write")] => {
                        config.users.push((name.to_string(), token.to_string(), role.to_string()))
                    }
                    _ => return Err(format!("--user takes NAME:TOKEN:read|write, got {v:?}")),
                }
            }
            "--org" => {
                let v = value()?;
                let (org, members) =
                    v.split_once(':').ok_or_else(|| format!("--org takes ORG:USER[,USER…], got {v:?}"))?;
                config.orgs.push((
                    org.to_string(),
                    members.split(',').filter(|m| !m.is_empty()).map(str::to_string).collect(),
                ));
            }
            "--faults" => config.faults = localhub::faults::parse_faults(&value()?)?,
            "--admin-token" => config.admin_token = Some(value()?).filter(|t| !t.is_empty()),
            "--cors-origin" => config.cors.origins.push(value()?),
            "--cors-any" => config.cors.any = true,
            "--provider-key" => config.provider_keys.push(value()?),
            "--token-delay-ms" => {
                config.token_delay_ms = value()?.parse().map_err(|_| "--token-delay-ms takes a number".to_string())?
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if config.data.as_os_str().is_empty() {
        config.data = std::env::temp_dir().join(format!("localhub-{}", std::process::id()));
    }
    Ok(config)
}
