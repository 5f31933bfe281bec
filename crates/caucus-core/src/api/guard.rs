//! A panic never escapes a command: every command, from the HTTP bridge and from the desktop
//! shell alike, runs inside [`guarded`], which turns a panic into a typed `internal` error
//! naming the command, and logs it. What the command was writing is not kept: its
//! transaction is dropped, unfinished, as the panic unwinds.

use crate::error::CoreError;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};

/// A future whose panic is caught at each poll.
struct CatchUnwind<F>(Pin<Box<F>>);

impl<F: Future> Future for CatchUnwind<F> {
    type Output = std::thread::Result<F::Output>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // The future is not polled again after a panic, so no broken state is observed.
        match catch_unwind(AssertUnwindSafe(|| self.0.as_mut().poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(out)) => Poll::Ready(Ok(out)),
            Err(panic) => Poll::Ready(Err(panic)),
        }
    }
}

/// Runs the command `name`; a panic inside it becomes [`CoreError::Internal`] (in the error
/// type the caller answers with).
pub async fn guarded<T, E: From<CoreError>>(
    name: &str,
    command: impl Future<Output = std::result::Result<T, E>>,
) -> std::result::Result<T, E> {
    match CatchUnwind(Box::pin(command)).await {
        Ok(result) => result,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            tracing::error!(command = name, panic = %what, "a command panicked");
            Err(CoreError::Internal(name.to_string()).into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panic_in_a_command_is_a_typed_error_naming_it() {
        async fn breaks(at: usize) -> crate::error::Result<usize> {
            tokio::task::yield_now().await;
            let bytes = "منظمة".as_bytes();
            // A slice inside a character, as a layout library's did.
            Ok(std::str::from_utf8(&bytes[..at])
                .map(str::len)
                .expect("a char boundary"))
        }
        let e = guarded("make_report", breaks(3))
            .await
            .expect_err("the panic is caught");
        assert_eq!(e.code(), "internal");
        assert!(e.to_string().contains("make_report"), "{e}");
        assert_eq!(
            guarded("make_report", breaks(4)).await.expect("no panic"),
            4
        );
    }
}
