-- 2: who stays responsible after a hand-over, and where a fix was announced.
ALTER TABLE issues ADD COLUMN responsible TEXT;
ALTER TABLE issues ADD COLUMN announce_ref TEXT;
