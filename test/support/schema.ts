import type { DialectName } from '../../src/dialects/dialect.js';

/** The guide's tables, per database: roles, and users with a unique username and a foreign key. */
export function usersSchema(dialect: DialectName): string[] {
  switch (dialect) {
    case 'postgres':
      return [
        'CREATE TABLE roles (id integer PRIMARY KEY, name varchar(50) UNIQUE)',
        `CREATE TABLE users (id serial PRIMARY KEY, username varchar(100) UNIQUE NOT NULL, email varchar(255),
          created_at timestamp DEFAULT now(), role_id integer REFERENCES roles(id), note text DEFAULT 'none')`,
        "INSERT INTO roles VALUES (1, 'admin'), (2, 'user')",
      ];
    case 'mysql':
      return [
        'CREATE TABLE roles (id int PRIMARY KEY, name varchar(50) UNIQUE)',
        `CREATE TABLE users (id int AUTO_INCREMENT PRIMARY KEY, username varchar(100) UNIQUE NOT NULL, email varchar(255),
          created_at datetime(6) DEFAULT CURRENT_TIMESTAMP(6), role_id int, note varchar(100) DEFAULT 'none',
          FOREIGN KEY (role_id) REFERENCES roles(id))`,
        "INSERT INTO roles VALUES (1, 'admin'), (2, 'user')",
      ];
    case 'sqlite':
      return [
        'CREATE TABLE roles (id INTEGER PRIMARY KEY, name TEXT UNIQUE)',
        `CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT UNIQUE NOT NULL, email TEXT,
          created_at TEXT DEFAULT CURRENT_TIMESTAMP, role_id INTEGER REFERENCES roles(id), note TEXT DEFAULT 'none')`,
        "INSERT INTO roles VALUES (1, 'admin'), (2, 'user')",
      ];
  }
}
