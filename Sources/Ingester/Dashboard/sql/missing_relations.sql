-- dashboard: which of the relations its pages read ($1: text[] of names) are missing.
SELECT name FROM unnest($1::text[]) AS name WHERE to_regclass(name) IS NULL ORDER BY name
