//! Error kinds (DESIGN §8) and the rule that turns a backend failure into one: what a failed
//! call means for the history depends on whether it could have changed the database, and a
//! write whose request never left this process (its connection could not be made) did not.

use crate::pb;

/// What a failed op means for the history (proto `ErrorKind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The op did not happen (history: `fail`).
    Definite,
    /// The op may or may not have happened (history: `info`).
    Indeterminate,
    /// The named transaction does not exist; nothing happened (history: `fail`).
    NotFound,
}

/// What a call could have done to the database, which decides how its failure is classified.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpClass {
    /// Cannot change committed data: raw reads, Begin, transactional reads and buffered
    /// writes, Rollback. A failure is definite.
    Read,
    /// A raw write or a transaction commit: unless the backend says it was refused before
    /// taking effect (or never sent, see `never_sent`), its failure is indeterminate.
    Write,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpError {
    pub kind: ErrorKind,
    pub message: String,
}

impl OpError {
    pub fn definite(message: impl Into<String>) -> Self {
        Self { kind: ErrorKind::Definite, message: message.into() }
    }

    pub fn indeterminate(message: impl Into<String>) -> Self {
        Self { kind: ErrorKind::Indeterminate, message: message.into() }
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self { kind: ErrorKind::NotFound, message: message.into() }
    }

    /// Classifies a backend failure: reads are definite; writes are indeterminate unless
    /// `refused` (the backend proved the write was rejected before it could take effect).
    pub fn classify(class: OpClass, refused: bool, message: impl Into<String>) -> Self {
        let kind = match class {
            OpClass::Read => ErrorKind::Definite,
            OpClass::Write if refused => ErrorKind::Definite,
            OpClass::Write => ErrorKind::Indeterminate,
        };
        Self { kind, message: message.into() }
    }
}

impl std::fmt::Display for OpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}: {}", self.kind, self.message)
    }
}

impl From<OpError> for pb::Error {
    fn from(e: OpError) -> Self {
        let kind = match e.kind {
            ErrorKind::Definite => pb::ErrorKind::Definite,
            ErrorKind::Indeterminate => pb::ErrorKind::Indeterminate,
            ErrorKind::NotFound => pb::ErrorKind::NotFound,
        };
        pb::Error { kind: kind as i32, message: e.message }
    }
}

pub type OpResult<T> = Result<T, OpError>;

/// True when `err` (or an error in its source chain) is a failure to open the connection the
/// request was to go over: refused, unreachable or timed out while connecting. tonic connects
/// lazily and returns that error instead of sending, so the request never reached the database.
/// A connection lost or timed out after it was open (keep-alive, reset, broken pipe) is not
/// such an error: the request may have been sent.
pub fn never_sent(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(err);
    while let Some(e) = cause {
        if e.downcast_ref::<hyper::Error>().is_some_and(hyper::Error::is_connect) {
            return true;
        }
        cause = e.source();
    }
    false
}

#[cfg(test)]
pub mod tests {
    use super::*;

    #[test]
    fn reads_are_definite_even_when_not_refused() {
        assert_eq!(OpError::classify(OpClass::Read, false, "x").kind, ErrorKind::Definite);
        assert_eq!(OpError::classify(OpClass::Read, true, "x").kind, ErrorKind::Definite);
    }

    #[test]
    fn writes_are_indeterminate_unless_refused() {
        assert_eq!(OpError::classify(OpClass::Write, false, "x").kind, ErrorKind::Indeterminate);
        assert_eq!(OpError::classify(OpClass::Write, true, "x").kind, ErrorKind::Definite);
    }

    /// A real connect failure: tonic's error for a loopback port nobody listens on.
    pub async fn refused_connection() -> tonic::transport::Error {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let endpoint = tonic::transport::Endpoint::from_shared(format!("http://127.0.0.1:{port}")).unwrap();
        endpoint.connect().await.expect_err("nothing listens on a port just released")
    }

    #[tokio::test]
    async fn a_refused_connection_was_never_sent_but_a_status_alone_proves_nothing() {
        let refused = refused_connection().await;
        assert!(never_sent(&refused), "{refused:?}");
        let status = tonic::Status::from_error(Box::new(refused));
        assert!(never_sent(&status), "the connect error stays in the status's source chain");
        assert!(!never_sent(&tonic::Status::unavailable("error trying to connect")));
        assert!(!never_sent(&std::io::Error::new(std::io::ErrorKind::BrokenPipe, "broken pipe")));
    }

    #[test]
    fn converts_to_proto_error_with_kind_and_message() {
        let e: pb::Error = OpError::not_found("no txn 7").into();
        assert_eq!(e.kind, pb::ErrorKind::NotFound as i32);
        assert_eq!(e.message, "no txn 7");
        let e: pb::Error = OpError::indeterminate("timeout").into();
        assert_eq!(e.kind, pb::ErrorKind::Indeterminate as i32);
    }
}
