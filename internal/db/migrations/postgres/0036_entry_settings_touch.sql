-- What a feature area keeps of an entry on a page of its own, outside the
-- entry's form, shows on the entry's page: a campaign's dates, wall and
-- words and the entries it links (the campaign's details page), a
-- statement's signing settings. Saving it counts as a change of the
-- entry (entries.updated_at, which content.Store.ChangedSince reads), so
-- the static mirror's incremental export renders the entry's pages
-- again: kept by triggers, so no way of saving them can forget it (an
-- event's registration settings call content.Store.Touch instead). Row
-- triggers, as for listing_state (0012).

-- entry_touched marks the entry named by the column given as the
-- trigger's argument, in the old row and the new.
CREATE FUNCTION entry_touched() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    col text := TG_ARGV[0];
    touched bigint;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        touched := (to_jsonb(OLD) ->> col)::bigint;
        UPDATE entries SET updated_at = floor(extract(epoch FROM now()))::bigint WHERE id = touched;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        touched := (to_jsonb(NEW) ->> col)::bigint;
        UPDATE entries SET updated_at = floor(extract(epoch FROM now()))::bigint WHERE id = touched;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER campaigns_touch_insert AFTER INSERT ON campaigns
FOR EACH ROW EXECUTE FUNCTION entry_touched('entry_id');
CREATE TRIGGER campaigns_touch_update AFTER UPDATE OF starts_on, ends_on, wall_open ON campaigns
FOR EACH ROW WHEN ((OLD.starts_on, OLD.ends_on, OLD.wall_open) IS DISTINCT FROM (NEW.starts_on, NEW.ends_on, NEW.wall_open))
EXECUTE FUNCTION entry_touched('entry_id');

CREATE TRIGGER campaign_texts_touch_insert AFTER INSERT ON campaign_texts
FOR EACH ROW EXECUTE FUNCTION entry_touched('entry_id');
CREATE TRIGGER campaign_texts_touch_update AFTER UPDATE ON campaign_texts
FOR EACH ROW WHEN ((OLD.primary_objective, OLD.secondary_objectives, OLD.asks, OLD.ways, OLD.lang, OLD.entry_id)
    IS DISTINCT FROM (NEW.primary_objective, NEW.secondary_objectives, NEW.asks, NEW.ways, NEW.lang, NEW.entry_id))
EXECUTE FUNCTION entry_touched('entry_id');
CREATE TRIGGER campaign_texts_touch_delete AFTER DELETE ON campaign_texts
FOR EACH ROW EXECUTE FUNCTION entry_touched('entry_id');

-- A save writes the links anew: a link added or taken off changes the
-- campaign's page.
CREATE TRIGGER campaign_links_touch_insert AFTER INSERT ON campaign_links
FOR EACH ROW EXECUTE FUNCTION entry_touched('campaign_id');
CREATE TRIGGER campaign_links_touch_delete AFTER DELETE ON campaign_links
FOR EACH ROW EXECUTE FUNCTION entry_touched('campaign_id');

CREATE TRIGGER letters_touch_insert AFTER INSERT ON letters
FOR EACH ROW EXECUTE FUNCTION entry_touched('entry_id');
CREATE TRIGGER letters_touch_update AFTER UPDATE OF open, organisations, individuals, goal, closes_at, moderated ON letters
FOR EACH ROW WHEN ((OLD.open, OLD.organisations, OLD.individuals, OLD.goal, OLD.closes_at, OLD.moderated)
    IS DISTINCT FROM (NEW.open, NEW.organisations, NEW.individuals, NEW.goal, NEW.closes_at, NEW.moderated))
EXECUTE FUNCTION entry_touched('entry_id');

-- The campaigns that link an entry, whose pages show its title
-- (campaign.Module.EntryPages), and the links an entry deleted takes
-- with it: found from the entry.
CREATE INDEX campaign_links_entry ON campaign_links (entry_id);
