//! The hub's errors, and their one mapping to HTTP statuses and wire errors. A 500 is logged
//! with its cause and reaches the client only as "the hub failed".

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use caucus_core::sync::protocol::{WireError, WireErrorCode};

#[derive(Debug, thiserror::Error)]
pub enum HubError {
    #[error("this device speaks sync protocol {0}; the hub speaks {1}: update the older one")]
    VersionMismatch(String, u32),
    #[error("this device's clock is {0} minutes off the hub's: set the correct date and time, then sync again")]
    ClockSkew(u64),
    #[error("the request is larger than the hub accepts ({0})")]
    PayloadTooLarge(String),
    #[error("this device is not enrolled with the hub")]
    Unauthorized,
    #[error("the request's signature is missing or is not this device's; it was refused")]
    BadSignature,
    #[error("this request was already received once; a repeated request is refused")]
    Replayed,
    #[error(
        "this device was removed from the coalition's hub; ask an administrator for a new invite"
    )]
    Revoked,
    #[error("the invite code is wrong, already used or expired")]
    InvalidInvite,
    #[error("the meeting's host has been asked to let you in; wait for them")]
    GuestWaiting,
    #[error("{0}")]
    Invalid(String),
    #[error("too many requests from this device or network; try again in {0} seconds")]
    RateLimited(u64),
    #[error("the hub's database failed: {0}")]
    Database(#[from] sqlx::Error),
    #[error("the hub's database could not be migrated: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl HubError {
    fn status_and_code(&self) -> (StatusCode, WireErrorCode) {
        match self {
            HubError::VersionMismatch(..) => {
                (StatusCode::UPGRADE_REQUIRED, WireErrorCode::VersionMismatch)
            }
            HubError::ClockSkew(_) => (StatusCode::CONFLICT, WireErrorCode::ClockSkew),
            HubError::PayloadTooLarge(_) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                WireErrorCode::PayloadTooLarge,
            ),
            HubError::Unauthorized | HubError::BadSignature | HubError::Replayed => {
                (StatusCode::UNAUTHORIZED, WireErrorCode::Unauthorized)
            }
            HubError::Revoked => (StatusCode::FORBIDDEN, WireErrorCode::Revoked),
            HubError::InvalidInvite => (StatusCode::FORBIDDEN, WireErrorCode::InvalidInvite),
            HubError::GuestWaiting => (StatusCode::FORBIDDEN, WireErrorCode::GuestWaiting),
            HubError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, WireErrorCode::Invalid),
            HubError::RateLimited(_) => (StatusCode::TOO_MANY_REQUESTS, WireErrorCode::RateLimited),
            HubError::Database(_) | HubError::Migrate(_) => {
                (StatusCode::INTERNAL_SERVER_ERROR, WireErrorCode::Internal)
            }
        }
    }
}

impl IntoResponse for HubError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let message = if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = %self, "request failed");
            "the hub failed; try again later".to_string()
        } else {
            self.to_string()
        };
        let mut response = (status, Json(WireError { code, message })).into_response();
        if let HubError::RateLimited(seconds) = self {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(seconds),
            );
        }
        response
    }
}
