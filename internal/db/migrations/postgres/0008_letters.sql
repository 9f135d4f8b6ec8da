-- Placeholder: filled in by the letters work.
SELECT 1;
