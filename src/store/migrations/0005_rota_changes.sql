-- 5: changes people make to the rota, and the notices they trigger.
CREATE TABLE rota_changes (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    date_a TEXT,
    date_b TEXT,
    member TEXT,
    made_by TEXT NOT NULL,
    made_at TEXT NOT NULL,
    undone_by TEXT,
    undone_at TEXT
);
