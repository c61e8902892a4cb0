gunzip -c "$1" | psql -q -v ON_ERROR_STOP=1 "$2" -c "\\copy users (username, email, created_at, role_id) from stdin (format csv, header true)"
