//! jepsen-tikv client server (DESIGN §8): one process per DB node on the control host. It binds
//! `--listen` (port 0 = dynamic), prints `LISTENING <addr>` on stdout, connects to the backend
//! in the background (retrying; Health reports readiness) and serves proto/jepsen/tikv/v1.
//! Logs go to stderr or --log-file. A test-only `--calibration` weakens the backend on purpose
//! (`backend::Calibration`); the server then logs a warning.

mod args;
mod backend;
mod encoding;
mod error;
mod service;
mod txn;

pub mod pb {
    tonic::include_proto!("jepsen.tikv.v1");
}

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use args::Args;
use backend::{etcd::EtcdBackend, tikv::TikvBackend, Backend, BackendKind};
use service::{BackendSlot, KvService};
use txn::TxnRegistry;

const RECONNECT_DELAY: Duration = Duration::from_millis(500);

fn init_logging(args: &Args) -> Result<(), String> {
    let mut builder = env_logger::Builder::new();
    builder.filter_level(args.log_level).format_timestamp_millis();
    if let Ok(filters) = std::env::var("RUST_LOG") {
        builder.parse_filters(&filters);
    }
    if let Some(path) = &args.log_file {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| format!("--log-file {}: {e}", path.display()))?;
        builder.target(env_logger::Target::Pipe(Box::new(file)));
    }
    builder.try_init().map_err(|e| format!("initialising the logger: {e}"))
}

async fn connect(args: &Args) -> Result<Arc<dyn Backend>, String> {
    Ok(match args.backend {
        BackendKind::Tikv => Arc::new(TikvBackend::connect(&args.endpoints, args.calibration).await?),
        BackendKind::Etcd => {
            Arc::new(EtcdBackend::connect(&args.endpoints, args.etcd_reads, args.calibration).await?)
        }
    })
}

/// Connects until it succeeds, keeping the latest failure for Health to report.
async fn connect_forever(args: Args, slot: Arc<BackendSlot>) {
    let mut attempts = 0u64;
    loop {
        attempts += 1;
        match connect(&args).await {
            Ok(backend) => {
                log::info!("connected to {} at {:?} (attempt {attempts})", backend.name(), args.endpoints);
                slot.set(backend);
                return;
            }
            Err(e) => {
                if attempts == 1 || attempts.is_multiple_of(20) {
                    log::warn!("{e} (attempt {attempts}; retrying every {RECONNECT_DELAY:?})");
                }
                slot.set_status(e);
                tokio::time::sleep(RECONNECT_DELAY).await;
            }
        }
    }
}

/// Exits once stdin reaches EOF (the parent died or closed it), so no client server outlives
/// the harness that started it.
fn exit_when_stdin_closes() {
    std::thread::spawn(|| {
        let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
        log::info!("stdin closed: exiting");
        std::process::exit(0);
    });
}

async fn run(args: Args) -> Result<(), String> {
    if args.exit_with_stdin {
        exit_when_stdin_closes();
    }
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| format!("--listen {}: cannot bind: {e}", args.listen))?;
    let addr = listener.local_addr().map_err(|e| format!("local address of the listener: {e}"))?;

    let slot = Arc::new(BackendSlot::new(args.backend.name()));
    let txns = Arc::new(TxnRegistry::new(args.txn_idle_timeout));
    txns.spawn_reaper();
    log::info!("listening on {addr}; backend {:?} at {:?}", args.backend, args.endpoints);
    if let Some(c) = args.calibration {
        log::warn!(
            "calibration {}: this server breaks its backend's guarantees on purpose (tests only)",
            c.name()
        );
    }
    tokio::spawn(connect_forever(args, Arc::clone(&slot)));

    // The parent reads the port from this line; the socket already accepts connections.
    let mut stdout = std::io::stdout();
    writeln!(stdout, "LISTENING {addr}").and_then(|_| stdout.flush()).map_err(|e| format!("stdout: {e}"))?;

    tonic::transport::Server::builder()
        .tcp_nodelay(true)
        .add_service(pb::kv_server::KvServer::new(KvService::new(slot, txns)))
        .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener))
        .await
        .map_err(|e| format!("gRPC server on {addr}: {e}"))
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match args::parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    if let Err(e) = init_logging(&args) {
        eprintln!("{e}");
        return ExitCode::from(2);
    }
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            log::error!("{e}");
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
