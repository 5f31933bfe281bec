-- A person's minute-takings (the meetings whose minutes they were named to write): asked when
-- the hub judges an edit of the minutes by someone who does not lead the group.
CREATE INDEX hub_field_minute_taker ON hub_field (col, value) WHERE tbl = 'minute_taker';
