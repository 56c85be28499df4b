//! Identifiers. UUIDs (version 7 for new rows) so that ids stay stable when
//! data moves between servers, and deterministic version 5 ids for imported
//! records so that loading the same source twice changes nothing.

use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

/// The namespace of Quire's deterministic ids (a fixed random UUID).
const QUIRE_NAMESPACE: Uuid = Uuid::from_u128(0x5b0c_6f4e_8a1d_4c3b_9e2f_7d6a_1c0b_3e5f);

macro_rules! id_type {
    ($name:ident, $prefix:literal) => {
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh, time-ordered id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            /// The same id every time for the same outside key, e.g.
            /// `("goodbooks", "123")`.
            pub fn derived(source: &str, key: &str) -> Self {
                let name = format!(concat!($prefix, ":{}:{}"), source, key);
                Self(Uuid::new_v5(&QUIRE_NAMESPACE, name.as_bytes()))
            }

            pub fn parse(s: &str) -> Option<Self> {
                Uuid::try_parse(s).ok().map(Self)
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        /// Stored as the UUID it wraps, on any engine that stores UUIDs.
        #[cfg(feature = "sqlx")]
        impl<DB: sqlx::Database> sqlx::Type<DB> for $name
        where
            Uuid: sqlx::Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <Uuid as sqlx::Type<DB>>::type_info()
            }

            fn compatible(ty: &DB::TypeInfo) -> bool {
                <Uuid as sqlx::Type<DB>>::compatible(ty)
            }
        }

        #[cfg(feature = "sqlx")]
        impl<'q, DB: sqlx::Database> sqlx::Encode<'q, DB> for $name
        where
            Uuid: sqlx::Encode<'q, DB>,
        {
            fn encode_by_ref(
                &self,
                buf: &mut <DB as sqlx::Database>::ArgumentBuffer,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <Uuid as sqlx::Encode<'q, DB>>::encode_by_ref(&self.0, buf)
            }
        }

        #[cfg(feature = "sqlx")]
        impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for $name
        where
            Uuid: sqlx::Decode<'r, DB>,
        {
            fn decode(
                value: <DB as sqlx::Database>::ValueRef<'r>,
            ) -> Result<Self, sqlx::error::BoxDynError> {
                Ok(Self(<Uuid as sqlx::Decode<'r, DB>>::decode(value)?))
            }
        }
    };
}

id_type!(WorkId, "work");
id_type!(EditionId, "edition");
id_type!(ContributorId, "contributor");
id_type!(UserId, "user");
id_type!(SeriesId, "series");
id_type!(SubjectId, "subject");
id_type!(ClubId, "club");
id_type!(SelectionId, "selection");
id_type!(NominationId, "nomination");
id_type!(InvitationId, "invitation");
id_type!(PollId, "poll");
id_type!(MeetingId, "meeting");
id_type!(MilestoneId, "milestone");
id_type!(ThreadId, "thread");
id_type!(PostId, "post");
id_type!(ReportId, "report");
id_type!(ClubQuestionId, "question");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_ids_are_stable_and_distinct_per_kind() {
        assert_eq!(
            WorkId::derived("goodbooks", "1"),
            WorkId::derived("goodbooks", "1")
        );
        assert_ne!(
            WorkId::derived("goodbooks", "1"),
            WorkId::derived("goodbooks", "2")
        );
        assert_ne!(
            WorkId::derived("goodbooks", "1").0,
            EditionId::derived("goodbooks", "1").0
        );
    }
}
