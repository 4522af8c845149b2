-- Every story that uses a library photo, whatever its status: as its lead photo or placed in
-- its body, in its content or its pending changes, and whether readers see that use.
-- `photo_uses` stays what it was, the photos some public story shows (now inline ones too),
-- so releases before this one still decide readers' access by it.
--
-- `photos_revision` is the revision of the story whose uses the rows hold: a release from
-- before this table leaves them stale when it changes a story, and a database made before
-- has none; every server rebuilds the rows where the two differ when it opens. Only adds, so
-- releases on earlier schemas keep working.

CREATE TABLE story_photos (
    photo uuid NOT NULL,
    story uuid NOT NULL,
    lead boolean NOT NULL,
    inline boolean NOT NULL,
    public boolean NOT NULL,
    PRIMARY KEY (photo, story)
);
CREATE INDEX story_photos_story ON story_photos (story);

ALTER TABLE stories ADD COLUMN photos_revision bigint;
CREATE INDEX stories_photos_stale ON stories (id) WHERE photos_revision IS DISTINCT FROM revision;
