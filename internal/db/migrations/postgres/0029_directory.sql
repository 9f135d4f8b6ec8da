-- The network directory (internal/directory): the co-author organisations
-- become profiles. type is what the organisation is, membership its place
-- in the network; the old relation (member or partner) carries over as the
-- membership, and a partner's type. languages are the ISO 639 codes it works
-- in, separated by spaces. The contact address is public, and only there
-- when the organisation agreed to publish it (contact_agreed).
ALTER TABLE organisations ADD COLUMN short_name TEXT NOT NULL DEFAULT '';
ALTER TABLE organisations ADD COLUMN type TEXT NOT NULL DEFAULT 'other'
    CHECK (type IN ('global', 'regional', 'national', 'local', 'partner', 'donor', 'other'));
ALTER TABLE organisations ADD COLUMN membership TEXT NOT NULL DEFAULT 'partner'
    CHECK (membership IN ('member', 'associate', 'partner', 'former'));
ALTER TABLE organisations ADD COLUMN languages TEXT NOT NULL DEFAULT '';
ALTER TABLE organisations ADD COLUMN contact TEXT NOT NULL DEFAULT '';
ALTER TABLE organisations ADD COLUMN contact_agreed BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE organisations ADD COLUMN year_joined INTEGER NOT NULL DEFAULT 0;
-- logo_id is its logo, an image of the media table (metadata stripped).
ALTER TABLE organisations ADD COLUMN logo_id BIGINT REFERENCES media(id) ON DELETE SET NULL;
-- updated_at (Unix seconds) is the sitemap's lastmod of its page.
ALTER TABLE organisations ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
UPDATE organisations SET membership = relation, type = CASE relation WHEN 'partner' THEN 'partner' ELSE 'other' END,
    updated_at = CAST(EXTRACT(EPOCH FROM now()) AS BIGINT);
CREATE INDEX organisations_country ON organisations (country);

-- An organisation's words in each language: its description and its
-- focal-point roles ("Regional focal point for Latin America").
CREATE TABLE organisation_texts (
    organisation_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    lang            TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    focal_roles     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (organisation_id, lang)
);
