//! Quire's domain: the pure types and rules every other crate shares.
//!
//! Nothing here does IO. Values that can be invalid (an ISBN, a rating, a
//! publication date) are newtypes that can only be built through validation,
//! so the rest of the code never handles a bad one.

pub mod club;
pub mod cover;
pub mod date;
pub mod ids;
pub mod isbn;
pub mod meeting;
pub mod poll;
pub mod position;
pub mod rating;
pub mod reading;
pub mod text;

pub use club::{
    ClubName, ClubRole, ClubText, ClubTextError, JoinPolicy, SelectionStatus, Visibility,
};
pub use cover::CoverSize;
pub use date::{Precision, PubDate};
pub use ids::{
    ClubId, ClubQuestionId, ContributorId, EditionId, InvitationId, MeetingId, MilestoneId,
    NominationId, PollId, PostId, ReportId, SelectionId, SeriesId, SubjectId, ThreadId, UserId,
    WorkId,
};
pub use isbn::{Isbn10, Isbn13, IsbnError};
pub use poll::{PollKind, PollMethod, PollResults};
pub use position::{Anchor, Chapters, Point, PositionError};
pub use rating::{Rating, RatingError};
pub use reading::{
    ContributorRole, Format, MaterialKind, Progress, ReadingStatus, SiteRole, Source,
};
