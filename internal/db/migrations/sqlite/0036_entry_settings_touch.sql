-- What a feature area keeps of an entry on a page of its own, outside the
-- entry's form, shows on the entry's page: a campaign's dates, wall and
-- words and the entries it links (the campaign's details page), a
-- statement's signing settings. Saving it counts as a change of the
-- entry (entries.updated_at, which content.Store.ChangedSince reads), so
-- the static mirror's incremental export renders the entry's pages
-- again: kept by triggers, so no way of saving them can forget it (an
-- event's registration settings call content.Store.Touch instead).

CREATE TRIGGER campaigns_touch_insert AFTER INSERT ON campaigns
BEGIN UPDATE entries SET updated_at = unixepoch() WHERE id = NEW.entry_id; END;
CREATE TRIGGER campaigns_touch_update AFTER UPDATE OF starts_on, ends_on, wall_open ON campaigns
WHEN OLD.starts_on IS NOT NEW.starts_on OR OLD.ends_on IS NOT NEW.ends_on OR OLD.wall_open IS NOT NEW.wall_open
BEGIN UPDATE entries SET updated_at = unixepoch() WHERE id = NEW.entry_id; END;

CREATE TRIGGER campaign_texts_touch_insert AFTER INSERT ON campaign_texts
BEGIN UPDATE entries SET updated_at = unixepoch() WHERE id = NEW.entry_id; END;
CREATE TRIGGER campaign_texts_touch_update AFTER UPDATE ON campaign_texts
WHEN OLD.primary_objective IS NOT NEW.primary_objective OR OLD.secondary_objectives IS NOT NEW.secondary_objectives
    OR OLD.asks IS NOT NEW.asks OR OLD.ways IS NOT NEW.ways OR OLD.lang IS NOT NEW.lang OR OLD.entry_id IS NOT NEW.entry_id
BEGIN UPDATE entries SET updated_at = unixepoch() WHERE id IN (OLD.entry_id, NEW.entry_id); END;
CREATE TRIGGER campaign_texts_touch_delete AFTER DELETE ON campaign_texts
BEGIN UPDATE entries SET updated_at = unixepoch() WHERE id = OLD.entry_id; END;

-- A save writes the links anew: a link added or taken off changes the
-- campaign's page.
CREATE TRIGGER campaign_links_touch_insert AFTER INSERT ON campaign_links
BEGIN UPDATE entries SET updated_at = unixepoch() WHERE id = NEW.campaign_id; END;
CREATE TRIGGER campaign_links_touch_delete AFTER DELETE ON campaign_links
BEGIN UPDATE entries SET updated_at = unixepoch() WHERE id = OLD.campaign_id; END;

CREATE TRIGGER letters_touch_insert AFTER INSERT ON letters
BEGIN UPDATE entries SET updated_at = unixepoch() WHERE id = NEW.entry_id; END;
CREATE TRIGGER letters_touch_update AFTER UPDATE OF open, organisations, individuals, goal, closes_at, moderated ON letters
WHEN OLD.open IS NOT NEW.open OR OLD.organisations IS NOT NEW.organisations OR OLD.individuals IS NOT NEW.individuals
    OR OLD.goal IS NOT NEW.goal OR OLD.closes_at IS NOT NEW.closes_at OR OLD.moderated IS NOT NEW.moderated
BEGIN UPDATE entries SET updated_at = unixepoch() WHERE id = NEW.entry_id; END;

-- The campaigns that link an entry, whose pages show its title
-- (campaign.Module.EntryPages), and the links an entry deleted takes
-- with it: found from the entry.
CREATE INDEX campaign_links_entry ON campaign_links (entry_id);
