-- The newest event of each tag, found through an index: the difference call's watermark asks
-- whether a projection has caught up with its tag.
CREATE INDEX event_tag_tag_idx ON event_tag (tag, event_id);
