-- Arabic and Hindi words are now stemmed (internal/search: Larkey's
-- light10 for Arabic, Ramanathan and Rao's light stemmer for Hindi), as
-- queries are: their translations' terms are made again, by
-- search.Backfill at the next start, which indexes what has no terms.
DELETE FROM search_docs WHERE lang IN ('ar', 'hi');
