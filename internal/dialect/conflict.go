package dialect

import "gorm.io/gorm/clause"

// doNothing is ON CONFLICT DO NOTHING (PostgreSQL, SQLite, and a database
// the plugin does not know).
func doNothing() clause.Expression { return clause.Expr{SQL: "ON CONFLICT DO NOTHING"} }

// OnConflictDoNothing is ON CONFLICT DO NOTHING.
func (postgres) OnConflictDoNothing(string) clause.Expression { return doNothing() }

// OnConflictDoNothing is ON CONFLICT DO NOTHING.
func (sqlite) OnConflictDoNothing(string) clause.Expression { return doNothing() }

// OnConflictDoNothing is ON CONFLICT DO NOTHING.
func (other) OnConflictDoNothing(string) clause.Expression { return doNothing() }

// OnConflictDoNothing is ON DUPLICATE KEY UPDATE key = key, as GORM writes
// a Create with clause.OnConflict{DoNothing: true}: MySQL has no DO
// NOTHING, and INSERT IGNORE would ignore other errors too.
func (mysql) OnConflictDoNothing(key string) clause.Expression {
	return clause.Expr{SQL: "ON DUPLICATE KEY UPDATE ?=?", Vars: []any{clause.Column{Name: key}, clause.Column{Name: key}}}
}
