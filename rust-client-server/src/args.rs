//! Command-line options. Hand-parsed (a handful of flags) to keep the build small; every
//! error names the flag and its allowed values (for `--calibration`, those of the chosen
//! backend: each test-only calibration belongs to one).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::backend::etcd::ReadMode;
use crate::backend::{BackendKind, Calibration};

pub const USAGE: &str = "usage: jepsen-tikv-client-server --backend tikv|etcd --endpoints a,b,c \
[--listen 127.0.0.1:0] [--etcd-reads linearizable|serializable] [--txn-idle-timeout SECONDS] \
[--log-file PATH] [--log-level error|warn|info|debug|trace] [--exit-with-stdin] \
[--calibration commit-unvalidated (etcd) | cas-get-then-put | stale-reads (tikv); test-only: \
breaks the backend's guarantees on purpose]";

#[derive(Debug, PartialEq)]
pub struct Args {
    pub listen: SocketAddr,
    pub backend: BackendKind,
    /// TiKV: PD addresses ("host:2379"); etcd: client URLs ("http://host:2379").
    pub endpoints: Vec<String>,
    pub etcd_reads: ReadMode,
    /// Test-only weakening of the backend (see `Calibration`); None in every normal run.
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
            // Checked below, once the backend is known (the flags come in any order).
            "--calibration" => calibration = Some(value),
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
    let calibration = calibration.map(|value| parse_calibration(&value, backend)).transpose()?;
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

/// The `backend`'s calibration named `value`; the error lists that backend's allowed values.
fn parse_calibration(value: &str, backend: BackendKind) -> Result<Calibration, String> {
    Calibration::of(backend).find(|c| c.name() == value).ok_or_else(|| {
        let allowed: Vec<&str> = Calibration::of(backend).map(Calibration::name).collect();
        format!(
            "--calibration {value:?}: allowed values for --backend {} are {}",
            backend.name(),
            allowed.join(", ")
        )
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
    fn each_test_only_calibration_belongs_to_one_backend() {
        for (line, expected) in [
            ("--backend etcd --endpoints a --calibration commit-unvalidated", Calibration::CommitUnvalidated),
            ("--backend tikv --endpoints a --calibration cas-get-then-put", Calibration::CasGetThenPut),
            ("--backend tikv --endpoints a --calibration=stale-reads", Calibration::StaleReads),
            // The flags come in any order: the backend may follow the calibration.
            ("--calibration stale-reads --endpoints a --backend tikv", Calibration::StaleReads),
        ] {
            assert_eq!(args(line).unwrap().calibration, Some(expected), "{line}");
        }
        for (line, needle) in [
            (
                "--backend tikv --endpoints a --calibration commit-unvalidated",
                "--calibration \"commit-unvalidated\": allowed values for --backend tikv are cas-get-then-put, stale-reads",
            ),
            (
                "--calibration cas-get-then-put --backend etcd --endpoints a",
                "--calibration \"cas-get-then-put\": allowed values for --backend etcd are commit-unvalidated",
            ),
            ("--backend etcd --endpoints a --calibration stale-reads", "for --backend etcd are commit-unvalidated"),
            ("--backend tikv --endpoints a --calibration lossy", "for --backend tikv are cas-get-then-put, stale-reads"),
        ] {
            let e = args(line).unwrap_err();
            assert!(e.contains(needle), "{line}: {e}");
        }
    }

    #[test]
    fn every_calibration_has_a_distinct_name_and_a_backend_that_accepts_it() {
        let names: std::collections::HashSet<&str> = Calibration::ALL.iter().map(|c| c.name()).collect();
        assert_eq!(names.len(), Calibration::ALL.len());
        for c in Calibration::ALL {
            let line = format!("--backend {} --endpoints a --calibration {}", c.backend().name(), c.name());
            assert_eq!(args(&line).unwrap().calibration, Some(c), "{line}");
            assert_eq!(Calibration::check(c.backend(), Some(c)), Ok(Some(c)));
        }
        let e = Calibration::check(BackendKind::Etcd, Some(Calibration::StaleReads)).unwrap_err();
        assert!(e.contains("stale-reads is not one of the etcd backend's"), "{e}");
        assert_eq!(Calibration::check(BackendKind::Tikv, None), Ok(None));
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
            ("--backend etcd --endpoints a --calibration lossy", "allowed values for --backend etcd are"),
            ("--backend", "--backend needs a value"),
        ] {
            let e = args(line).unwrap_err();
            assert!(e.contains(needle), "{line}: {e}");
        }
    }
}
