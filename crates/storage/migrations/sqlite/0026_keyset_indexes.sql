-- Indexes for the API's cursor-paged lists, in the order each is walked
-- (creation time, then id), so a page reads its rows in order and stops
-- at the limit instead of sorting the whole list.
CREATE INDEX clubs_newest ON clubs(created_at, id);
CREATE INDEX club_members_joined ON club_members(club_id, joined_at, user_id);
CREATE INDEX club_threads_selection_newest ON club_threads(selection_id, created_at, id);
