//! The record commands: the write pipeline ([`pipeline`]) and one file per record kind with
//! its own rules (memberships, the recommendation lifecycle, endorsements, attendance). Kinds
//! with no rule of their own get the five generic commands from [`record_commands!`].

mod coalition;
mod comment;
mod endorsement;
mod issue;
mod meeting;
mod membership;
pub(crate) mod pipeline;
mod recommendation;

/// The five generic commands of an entity, as methods named in the command list.
macro_rules! record_commands {
    ($entity:ty, $new:ty, $patch:ty, $filter:ty,
     $create:ident, $update:ident, $get:ident, $list:ident, $archive:ident) => {
        impl $crate::api::Caucus {
            pub async fn $create(&self, input: $new) -> $crate::error::Result<$entity> {
                self.create(input).await
            }
            pub async fn $update(&self, input: $patch) -> $crate::error::Result<$entity> {
                self.update(input).await
            }
            record_commands!(@read $entity, $filter, $get, $list, $archive);
        }
    };
    (@read $entity:ty, $filter:ty, $get:ident, $list:ident, $archive:ident) => {
        pub async fn $get(
            &self,
            input: $crate::model::IdInput,
        ) -> $crate::error::Result<$entity> {
            self.get(input.id).await
        }
        pub async fn $list(&self, input: $filter) -> $crate::error::Result<Vec<$entity>> {
            self.list(input).await
        }
        pub async fn $archive(
            &self,
            input: $crate::model::IdInput,
        ) -> $crate::error::Result<$entity> {
            self.archive(input.id).await
        }
    };
}
pub(crate) use record_commands;
