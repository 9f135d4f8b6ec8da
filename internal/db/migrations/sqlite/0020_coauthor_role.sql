-- What an entry's co-author organisations did, as the editor chose it:
-- joint_statement ("Joint statement with"), published_with ("Published
-- with") or cosigned_by ("Co-signed by"); '' takes the kind's default
-- (content.DefaultCoauthorRole). One role for the entry's co-authors as a
-- whole, shown before their names.
ALTER TABLE entries ADD COLUMN coauthor_role TEXT NOT NULL DEFAULT ''
    CHECK (coauthor_role IN ('', 'joint_statement', 'published_with', 'cosigned_by'));
