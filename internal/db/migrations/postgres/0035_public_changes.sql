-- Pages that change though no entry was saved, for the incremental
-- exports of the static mirror (package mirror), which otherwise render
-- again only the pages of entries saved since the last export. Row
-- triggers, as for listing_state (0012).

-- A campaign's tribute wall and its slideshow change with every tribute
-- approved, taken off, withdrawn, erased or given another photo, and
-- the slides after it move: wall_changed_at is when that last happened
-- (Unix seconds, 0 for never), kept by triggers so no way of changing a
-- tribute can forget it.
ALTER TABLE campaigns ADD COLUMN wall_changed_at BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION tributes_wall_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE campaigns SET wall_changed_at = floor(extract(epoch FROM now()))::bigint WHERE entry_id = OLD.campaign_id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        UPDATE campaigns SET wall_changed_at = floor(extract(epoch FROM now()))::bigint WHERE entry_id = NEW.campaign_id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER tributes_wall_insert AFTER INSERT ON tributes
FOR EACH ROW WHEN (NEW.status = 'approved') EXECUTE FUNCTION tributes_wall_changed();
CREATE TRIGGER tributes_wall_delete AFTER DELETE ON tributes
FOR EACH ROW WHEN (OLD.status = 'approved') EXECUTE FUNCTION tributes_wall_changed();
CREATE TRIGGER tributes_wall_update AFTER UPDATE OF status, campaign_id, lang, remembered, body, media_id, decided_at ON tributes
FOR EACH ROW WHEN ((OLD.status = 'approved' OR NEW.status = 'approved')
    AND (OLD.status, OLD.campaign_id, OLD.lang, OLD.remembered, OLD.body, OLD.media_id, OLD.decided_at)
        IS DISTINCT FROM (NEW.status, NEW.campaign_id, NEW.lang, NEW.remembered, NEW.body, NEW.media_id, NEW.decided_at))
EXECUTE FUNCTION tributes_wall_changed();

-- An event's page says whether places are left: places_changed_at is
-- when a registration last took or gave up a confirmed place (Unix
-- seconds, 0 for never). Only the time is kept: no registrant's data
-- reaches the pages. The index finds the events changed since an
-- export.
ALTER TABLE event_details ADD COLUMN places_changed_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX event_details_places ON event_details (places_changed_at);

CREATE FUNCTION registrations_places_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE event_details SET places_changed_at = floor(extract(epoch FROM now()))::bigint WHERE entry_id = OLD.entry_id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        UPDATE event_details SET places_changed_at = floor(extract(epoch FROM now()))::bigint WHERE entry_id = NEW.entry_id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER registrations_places_insert AFTER INSERT ON registrations
FOR EACH ROW WHEN (NEW.status = 'confirmed') EXECUTE FUNCTION registrations_places_changed();
CREATE TRIGGER registrations_places_delete AFTER DELETE ON registrations
FOR EACH ROW WHEN (OLD.status = 'confirmed') EXECUTE FUNCTION registrations_places_changed();
CREATE TRIGGER registrations_places_update AFTER UPDATE OF status, entry_id ON registrations
FOR EACH ROW WHEN ((OLD.status = 'confirmed' OR NEW.status = 'confirmed')
    AND (OLD.status, OLD.entry_id) IS DISTINCT FROM (NEW.status, NEW.entry_id))
EXECUTE FUNCTION registrations_places_changed();
