//! Comments on a recommendation: anyone who reads it comments in their own name; only the
//! author edits a comment; the author or the group's leaders archive it.

use crate::api::Caucus;
use crate::error::Result;
use crate::model::*;

impl Caucus {
    pub async fn get_comment(&self, input: IdInput) -> Result<Comment> {
        self.get(input.id).await
    }
    pub async fn list_comments(&self, input: CommentFilter) -> Result<Vec<Comment>> {
        self.list(input).await
    }
    pub async fn create_comment(&self, input: NewComment) -> Result<Comment> {
        self.create(input).await
    }
    /// Only a comment's author edits it (see [`crate::rights`]).
    pub async fn update_comment(&self, input: CommentPatch) -> Result<Comment> {
        self.update(input).await
    }
    pub async fn archive_comment(&self, input: IdInput) -> Result<Comment> {
        self.archive(input.id).await
    }
}
