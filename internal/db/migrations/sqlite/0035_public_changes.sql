-- Pages that change though no entry was saved, for the incremental
-- exports of the static mirror (package mirror), which otherwise render
-- again only the pages of entries saved since the last export.

-- A campaign's tribute wall and its slideshow change with every tribute
-- approved, taken off, withdrawn, erased or given another photo, and
-- the slides after it move: wall_changed_at is when that last happened
-- (Unix seconds, 0 for never), kept by triggers so no way of changing a
-- tribute can forget it.
ALTER TABLE campaigns ADD COLUMN wall_changed_at BIGINT NOT NULL DEFAULT 0;

CREATE TRIGGER tributes_wall_insert AFTER INSERT ON tributes
WHEN NEW.status = 'approved'
BEGIN UPDATE campaigns SET wall_changed_at = unixepoch() WHERE entry_id = NEW.campaign_id; END;
CREATE TRIGGER tributes_wall_delete AFTER DELETE ON tributes
WHEN OLD.status = 'approved'
BEGIN UPDATE campaigns SET wall_changed_at = unixepoch() WHERE entry_id = OLD.campaign_id; END;
CREATE TRIGGER tributes_wall_update AFTER UPDATE OF status, campaign_id, lang, remembered, body, media_id, decided_at ON tributes
WHEN (OLD.status = 'approved' OR NEW.status = 'approved')
    AND (OLD.status IS NOT NEW.status OR OLD.campaign_id IS NOT NEW.campaign_id OR OLD.lang IS NOT NEW.lang
        OR OLD.remembered IS NOT NEW.remembered OR OLD.body IS NOT NEW.body OR OLD.media_id IS NOT NEW.media_id
        OR OLD.decided_at IS NOT NEW.decided_at)
BEGIN UPDATE campaigns SET wall_changed_at = unixepoch() WHERE entry_id IN (OLD.campaign_id, NEW.campaign_id); END;

-- An event's page says whether places are left: places_changed_at is
-- when a registration last took or gave up a confirmed place (Unix
-- seconds, 0 for never). Only the time is kept: no registrant's data
-- reaches the pages. The index finds the events changed since an
-- export.
ALTER TABLE event_details ADD COLUMN places_changed_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX event_details_places ON event_details (places_changed_at);

CREATE TRIGGER registrations_places_insert AFTER INSERT ON registrations
WHEN NEW.status = 'confirmed'
BEGIN UPDATE event_details SET places_changed_at = unixepoch() WHERE entry_id = NEW.entry_id; END;
CREATE TRIGGER registrations_places_delete AFTER DELETE ON registrations
WHEN OLD.status = 'confirmed'
BEGIN UPDATE event_details SET places_changed_at = unixepoch() WHERE entry_id = OLD.entry_id; END;
CREATE TRIGGER registrations_places_update AFTER UPDATE OF status, entry_id ON registrations
WHEN (OLD.status = 'confirmed' OR NEW.status = 'confirmed')
    AND (OLD.status IS NOT NEW.status OR OLD.entry_id IS NOT NEW.entry_id)
BEGIN UPDATE event_details SET places_changed_at = unixepoch() WHERE entry_id IN (OLD.entry_id, NEW.entry_id); END;
