-- Both programs: which of the relations ($1: text[] of names of tables, views, indexes) are
-- missing, by name (the dashboard lists them).
SELECT name FROM unnest($1::text[]) AS name WHERE to_regclass(name) IS NULL ORDER BY name
