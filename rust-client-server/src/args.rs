//! Command-line options. Hand-parsed (a handful of flags) to keep the build small; every
//! error names the flag and its allowed values.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::backend::etcd::{Calibration, ReadMode};

pub const USAGE: &str = "usage: jepsen-tikv-client-server --backend tikv|etcd --endpoints a,b,c \
[--listen 127.0.0.1:0] [--etcd-reads linearizable|serializable] [--txn-idle-timeout SECONDS] \
[--log-file PATH] [--log-level error|warn|info|debug|trace] [--exit-with-stdin] \
[--calibration commit-unvalidated (test-only: breaks etcd transactions on purpose)]";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackendKind {
    Tikv,
    Etcd,
}

#[derive(Debug, PartialEq)]
pub struct Args {
    pub listen: SocketAddr,
    pub backend: BackendKind,
    /// TiKV: PD addresses ("host:2379"); etcd: client URLs ("http://host:2379").
    pub endpoints: Vec<String>,
    pub etcd_reads: ReadMode,
    /// Test-only weakening of the etcd backend (see `Calibration`); None in every normal run.
    pub calibration: Option<Calibration>,
    pub txn_idle_timeout: Duration,
    pub log_file: Option<PathBuf>,
    pub log_level: log::LevelFilter,
    /// Exit when stdin reaches EOF: the parent holds the other end, so its death stops us.
    pub exit_with_stdin: bool,
}

pub fn parse(argv: impl IntoIterator<Item = String>) -> Result<Args, String> {
    let mut listen: SocketAddr = "127.0.0.1:0".parse().expect("valid default address");
    let mut backend = None;
    let mut endpoints = Vec::new();
    let mut etcd_reads = ReadMode::Linearizable;
    let mut calibration = None;
    let mut txn_idle_timeout = Duration::from_secs(60);
    let mut log_file = None;
    let mut log_level = log::LevelFilter::Info;
    let mut exit_with_stdin = false;

    let mut argv = argv.into_iter();
    while let Some(flag) = argv.next() {
        let (name, inline) = match flag.split_once('=') {
            Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
            None => (flag.clone(), None),
        };
        if name == "--help" || name == "-h" {
            return Err(USAGE.to_owned());
        }
        if name == "--exit-with-stdin" && inline.is_none() {
            exit_with_stdin = true;
            continue;
        }
        let value = match inline.or_else(|| argv.next()) {
            Some(v) => v,
            None => return Err(format!("{name} needs a value\n{USAGE}")),
        };
        match name.as_str() {
            "--listen" => {
                listen = value
                    .parse()
                    .map_err(|_| format!("--listen {value:?}: expected host:port, e.g. 127.0.0.1:0"))?
            }
            "--backend" => {
                backend = Some(match value.as_str() {
                    "tikv" => BackendKind::Tikv,
                    "etcd" => BackendKind::Etcd,
                    _ => return Err(format!("--backend {value:?}: allowed values are tikv, etcd")),
                })
            }
            "--endpoints" => {
                endpoints =
                    value.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect()
            }
            "--etcd-reads" => {
                etcd_reads = match value.as_str() {
                    "linearizable" => ReadMode::Linearizable,
                    "serializable" => ReadMode::Serializable,
                    _ => {
                        return Err(format!(
                            "--etcd-reads {value:?}: allowed values are linearizable, serializable"
                        ))
                    }
                }
            }
            "--calibration" => {
                calibration = match value.as_str() {
                    "commit-unvalidated" => Some(Calibration::CommitUnvalidated),
                    _ => {
                        return Err(format!("--calibration {value:?}: allowed values are commit-unvalidated"))
                    }
                }
            }
            "--txn-idle-timeout" => {
                let secs: f64 =
                    value.parse().ok().filter(|s: &f64| s.is_finite() && *s > 0.0).ok_or_else(|| {
                        format!("--txn-idle-timeout {value:?}: expected a positive number of seconds")
                    })?;
                txn_idle_timeout = Duration::from_secs_f64(secs)
            }
            "--log-file" => log_file = Some(PathBuf::from(value)),
            "--log-level" => {
                log_level = value.parse().map_err(|_| {
                    format!("--log-level {value:?}: allowed values are off, error, warn, info, debug, trace")
                })?
            }
            _ => return Err(format!("unknown option {name:?}\n{USAGE}")),
        }
    }
    let backend = backend.ok_or_else(|| format!("--backend is required (tikv or etcd)\n{USAGE}"))?;
    if endpoints.is_empty() {
        return Err(format!("--endpoints is required (comma-separated)\n{USAGE}"));
    }
    if calibration.is_some() && backend != BackendKind::Etcd {
        return Err("--calibration: only the etcd backend has calibration modes".to_owned());
    }
    Ok(Args {
        listen,
        backend,
        endpoints,
        etcd_reads,
        calibration,
        txn_idle_timeout,
        log_file,
        log_level,
        exit_with_stdin,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Result<Args, String> {
        parse(s.split_whitespace().map(String::from))
    }

    #[test]
    fn parses_all_flags_in_both_forms() {
        let a = args(
            "--backend etcd --endpoints=http://a:2379,http://b:2379 --listen 127.0.0.1:7000 \
             --etcd-reads serializable --txn-idle-timeout 2.5 --log-file /tmp/x.log --log-level debug \
             --exit-with-stdin",
        )
        .unwrap();
        assert_eq!(a.backend, BackendKind::Etcd);
        assert_eq!(a.endpoints, vec!["http://a:2379", "http://b:2379"]);
        assert_eq!(a.listen.port(), 7000);
        assert_eq!(a.etcd_reads, ReadMode::Serializable);
        assert_eq!(a.txn_idle_timeout, Duration::from_millis(2500));
        assert_eq!(a.log_file, Some(PathBuf::from("/tmp/x.log")));
        assert_eq!(a.log_level, log::LevelFilter::Debug);
        assert!(a.exit_with_stdin);
    }

    #[test]
    fn the_test_only_calibration_is_etcd_only() {
        let a = args("--backend etcd --endpoints a --calibration commit-unvalidated").unwrap();
        assert_eq!(a.calibration, Some(Calibration::CommitUnvalidated));
        let e = args("--backend tikv --endpoints a --calibration commit-unvalidated").unwrap_err();
        assert!(e.contains("only the etcd backend"), "{e}");
    }

    #[test]
    fn defaults_to_a_dynamic_loopback_port_and_linearizable_reads() {
        let a = args("--backend tikv --endpoints 10.0.0.1:2379").unwrap();
        assert_eq!(a.listen, "127.0.0.1:0".parse().unwrap());
        assert_eq!(a.etcd_reads, ReadMode::Linearizable);
        assert_eq!(a.log_file, None);
        assert!(!a.exit_with_stdin);
        assert_eq!(a.calibration, None);
    }

    #[test]
    fn errors_name_the_flag_and_allowed_values() {
        for (line, needle) in [
            ("--backend mysql --endpoints a", "allowed values are tikv, etcd"),
            ("--endpoints a", "--backend is required"),
            ("--backend tikv", "--endpoints is required"),
            ("--backend tikv --endpoints ,", "--endpoints is required"),
            ("--backend etcd --endpoints a --etcd-reads stale", "linearizable, serializable"),
            ("--backend etcd --endpoints a --listen nowhere", "--listen \"nowhere\""),
            ("--backend etcd --endpoints a --txn-idle-timeout -1", "positive number"),
            ("--backend etcd --endpoints a --bogus 1", "unknown option \"--bogus\""),
            ("--backend etcd --endpoints a --calibration lossy", "allowed values are commit-unvalidated"),
            ("--backend", "--backend needs a value"),
        ] {
            let e = args(line).unwrap_err();
            assert!(e.contains(needle), "{line}: {e}");
        }
    }
}
