-- The data the lead list figures (lead_list_*.txt) were measured on: psql -f this into a migrated database.
TRUNCATE leads_lead CASCADE;
DELETE FROM crm_membership; DELETE FROM crm_user; DELETE FROM crm_team;
INSERT INTO crm_team (id, name, is_active) SELECT i, 'Team '||i, true FROM generate_series(1,3) i;
INSERT INTO crm_user (id, password, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined, time_zone)
SELECT i, '!', i = 1, CASE i WHEN 1 THEN 'admin' WHEN 2 THEN 'boss' WHEN 3 THEN 'bigrep' WHEN 4 THEN 'rep' ELSE 'user'||i END,
  'First'||i, 'Last'||i, 'u'||i||'@example.com', i = 1, true, now(), 'UTC'
FROM generate_series(1,31) i;
-- users 2..31 in teams 1..3 (10 each); user 2 manages team 1
INSERT INTO crm_membership (team_id, user_id, role, is_active, joined_at)
SELECT ((i-2) / 10) + 1, i, CASE WHEN i = 2 THEN 'manager' ELSE 'member' END, true, now() FROM generate_series(2,31) i;
INSERT INTO crm_user (id, password, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined, time_zone)
VALUES (40, '!', false, 'loner', 'Lone', 'Ranger', 'l@example.com', false, true, now(), 'UTC');
INSERT INTO crm_membership (team_id, user_id, role, is_active, joined_at) VALUES (3, 40, 'member', true, now());
UPDATE crm_membership SET is_active = true;
SELECT setval(pg_get_serial_sequence('crm_user','id'), 100);
SELECT setval(pg_get_serial_sequence('crm_team','id'), 100);
INSERT INTO leads_lead (created_at, modified_at, version, topic, salutation, first_name, middle_name, last_name, job_title,
  company_name, website, email, business_phone, mobile_phone, preferred_contact_method, do_not_email, do_not_phone,
  do_not_postal_mail, do_not_bulk_email, street, city, state_province, postal_code, country, rating, description,
  decision_maker, state, status, email_key, phone_key, name_key, company_key, owner_user_id, owner_team_id, source_id, next_follow_up, qualified_at)
SELECT now() - (i * interval '3 minutes'), now() - (i * interval '2 minutes'), 1, 'Topic '||i, '',
  (ARRAY['Ana','Bjørn','Chloé','Dmitri','Eva','Fritz','Göran','Hanna'])[1 + i % 8], '',
  (ARRAY['Hansen','Müller','Nuñez','Olsen','Petit','Quist','Rossi','Smith','Tanaka','Ursu'])[1 + (i*7) % 10] || (i % 997), '',
  'Company ' || ((i * 31) % 20000), '', 'p'||i||'@example.com', '', '', 1, false, false, false, false, '', '', '', '', '',
  (ARRAY['hot','warm','cold',''])[1 + i % 4], '', false,
  st, CASE st WHEN 'open' THEN (CASE WHEN i%3=0 THEN 'contacted' ELSE 'new' END) WHEN 'qualified' THEN 'qualified' ELSE 'lost' END,
  'p'||i||'@example.com', '', '', '',
  ou, CASE WHEN ou IS NULL THEN 1 + i % 3 END, NULL,
  CASE WHEN i % 5 = 0 THEN (now() + ((i % 60) - 30) * interval '1 day')::date END,
  CASE WHEN st = 'qualified' THEN now() END
FROM (
  SELECT i,
    CASE WHEN i <= 100000 THEN 'open' WHEN i % 100 < 60 THEN 'open' WHEN i % 100 < 75 THEN 'qualified' ELSE 'disqualified' END AS st,
    CASE WHEN i <= 100000 THEN 3 WHEN i % 10 = 0 THEN NULL ELSE 4 + (i % 28) END AS ou
  FROM generate_series(1, 300000) i
) g;
-- 'loner' (40) gets a handful
UPDATE leads_lead SET owner_user_id = 40 WHERE id IN (SELECT id FROM leads_lead WHERE owner_user_id = 31 LIMIT 3);
VACUUM ANALYZE;
