//! The vocabulary of club meetings: whether a meeting is on, what a member
//! answered when asked if they are coming, and where that answer stands
//! against the meeting's cap.

use crate::reading::text_enum;

text_enum!(
    /// Whether a meeting is on.
    MeetingStatus {
        Scheduled = "scheduled" / "Scheduled",
        Cancelled = "cancelled" / "Cancelled",
    }
);

text_enum!(
    /// A member's answer to "are you coming?".
    RsvpAnswer {
        Yes = "yes" / "Yes",
        No = "no" / "No",
        Maybe = "maybe" / "Maybe",
    }
);

text_enum!(
    /// Where an answer stands: a "yes" is going, or waiting for a place
    /// when the meeting is full; "no" and "maybe" hold no place.
    RsvpState {
        Going = "going" / "Going",
        Waitlist = "waitlist" / "On the waitlist",
        Out = "out" / "Not holding a place",
    }
);
