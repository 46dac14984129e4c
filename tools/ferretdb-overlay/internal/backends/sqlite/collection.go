// wadesk: replaces FerretDB v1.24.2's file of the same path when
// scripts/build-embedded-db.mjs builds the embedded database.
//
// Upstream, Query and Explain push a filter down to SQLite only when it is
// {_id: <string or ObjectId>}; any other filter reads and decodes every
// document. Here prepareWhereClause (at the end of the file) pushes down, so
// that SQLite answers from the indexes the models declare:
//   - _id: {_id: v} or {_id: {$in: [...]}} (a batch of deletes by _id is one
//     indexed statement and one transaction), beside other fields too;
//   - else each top-level equality {path: v}, {path: {$eq: v}} or
//     {path: {$in: [...]}}, path plain or dotted, v a string, an ObjectId or a
//     bool, written as FerretDB's index expression (_ferretdb_sjson->"a"->"b")
//     so that SQLite's planner can use the index.
//
// The handler still matches every returned document against the whole filter,
// so the pushdown only narrows what is read, and must never leave out a match:
//   - Values are compared as the JSON text sjson stores; MarshalSingleValue
//     writes a value exactly so (the same encoder), and SQLite's -> returns a
//     string's text with its escapes as stored. Numbers are not pushed down
//     (an int equals a double of the same value, and their text differs), nor
//     are dates, null (it matches a missing field), regexes or documents.
//   - A field holding an array matches by element: each path also selects the
//     documents where it holds an array, and, if dotted, where it reaches no
//     value and a parent is an array. Ordered by the index that covers most of
//     them, each term of that OR is a search of that index.
// Sorting is not pushed down: Query gets only {$natural: ±1} (the handler sorts
// in memory), and JSON text does not sort as BSON values do (numbers, dates,
// escaped characters, arrays, missing fields). The rest of the file is upstream's.
//
// Copyright 2021 FerretDB Inc.
//
// Licensed under the Apache License, Version 2.0 (the "License");
// you may not use this file except in compliance with the License.
// You may obtain a copy of the License at
//
//     http://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing, software
// distributed under the License is distributed on an "AS IS" BASIS,
// WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
// See the License for the specific language governing permissions and
// limitations under the License.

package sqlite

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	sqlite3 "modernc.org/sqlite"
	sqlite3lib "modernc.org/sqlite/lib"

	"github.com/FerretDB/FerretDB/internal/backends"
	"github.com/FerretDB/FerretDB/internal/backends/sqlite/metadata"
	"github.com/FerretDB/FerretDB/internal/handler/sjson"
	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/fsql"
	"github.com/FerretDB/FerretDB/internal/util/lazyerrors"
	"github.com/FerretDB/FerretDB/internal/util/must"
)

// collection implements backends.Collection interface.
type collection struct {
	r      *metadata.Registry
	dbName string
	name   string
}

// newCollection creates a new Collection.
func newCollection(r *metadata.Registry, dbName, name string) backends.Collection {
	return backends.CollectionContract(&collection{
		r:      r,
		dbName: dbName,
		name:   name,
	})
}

// Query implements backends.Collection interface.
func (c *collection) Query(ctx context.Context, params *backends.QueryParams) (*backends.QueryResult, error) {
	db := c.r.DatabaseGetExisting(ctx, c.dbName)
	if db == nil {
		return &backends.QueryResult{
			Iter: newQueryIterator(ctx, nil, params.OnlyRecordIDs),
		}, nil
	}

	meta := c.r.CollectionGet(ctx, c.dbName, c.name)
	if meta == nil {
		return &backends.QueryResult{
			Iter: newQueryIterator(ctx, nil, params.OnlyRecordIDs),
		}, nil
	}

	q := prepareSelectClause(meta.TableName, params.Comment, meta.Capped(), params.OnlyRecordIDs)

	whereClause, args := prepareWhereClause(params.Filter, meta.Settings.Indexes)

	q += whereClause
	q += prepareOrderByClause(params.Sort)

	if params.Limit != 0 {
		q += ` LIMIT ?`
		args = append(args, params.Limit)
	}

	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, lazyerrors.Error(err)
	}

	return &backends.QueryResult{
		Iter: newQueryIterator(ctx, rows, params.OnlyRecordIDs),
	}, nil
}

// InsertAll implements backends.Collection interface.
func (c *collection) InsertAll(ctx context.Context, params *backends.InsertAllParams) (*backends.InsertAllResult, error) {
	if _, err := c.r.CollectionCreate(ctx, &metadata.CollectionCreateParams{DBName: c.dbName, Name: c.name}); err != nil {
		return nil, lazyerrors.Error(err)
	}

	db := c.r.DatabaseGetExisting(ctx, c.dbName)
	meta := c.r.CollectionGet(ctx, c.dbName, c.name)

	err := db.InTransaction(ctx, func(tx *fsql.Tx) error {
		batchSize := c.r.BatchSize
		if batchSize < 1 {
			panic("batch-size should be greater or equal to 1")
		}

		var batch []*types.Document
		docs := params.Docs

		for len(docs) > 0 {
			i := min(batchSize, len(docs))
			batch, docs = docs[:i], docs[i:]

			q, args, err := prepareInsertStatement(meta.TableName, meta.Capped(), batch)
			if err != nil {
				return lazyerrors.Error(err)
			}

			if _, err = tx.ExecContext(ctx, q, args...); err != nil {
				var se *sqlite3.Error
				if errors.As(err, &se) && se.Code() == sqlite3lib.SQLITE_CONSTRAINT_UNIQUE {
					return backends.NewError(backends.ErrorCodeInsertDuplicateID, err)
				}

				return lazyerrors.Error(err)
			}
		}

		return nil
	})
	if err != nil {
		return nil, err
	}

	return new(backends.InsertAllResult), nil
}

// UpdateAll implements backends.Collection interface.
func (c *collection) UpdateAll(ctx context.Context, params *backends.UpdateAllParams) (*backends.UpdateAllResult, error) {
	var res backends.UpdateAllResult
	db := c.r.DatabaseGetExisting(ctx, c.dbName)
	if db == nil {
		return &res, nil
	}

	meta := c.r.CollectionGet(ctx, c.dbName, c.name)
	if meta == nil {
		return &res, nil
	}

	q := fmt.Sprintf(`UPDATE %q SET %s = ? WHERE %s = ?`, meta.TableName, metadata.DefaultColumn, metadata.IDColumn)

	err := db.InTransaction(ctx, func(tx *fsql.Tx) error {
		for _, doc := range params.Docs {
			b, err := sjson.Marshal(doc)
			if err != nil {
				return lazyerrors.Error(err)
			}

			id, _ := doc.Get("_id")
			must.NotBeZero(id)

			arg := string(must.NotFail(sjson.MarshalSingleValue(id)))

			r, err := tx.ExecContext(ctx, q, string(b), arg)
			if err != nil {
				return lazyerrors.Error(err)
			}

			ra, err := r.RowsAffected()
			if err != nil {
				return lazyerrors.Error(err)
			}

			res.Updated += int32(ra)
		}

		return nil
	})
	if err != nil {
		return nil, lazyerrors.Error(err)
	}

	return &res, nil
}

// DeleteAll implements backends.Collection interface.
func (c *collection) DeleteAll(ctx context.Context, params *backends.DeleteAllParams) (*backends.DeleteAllResult, error) {
	db := c.r.DatabaseGetExisting(ctx, c.dbName)
	if db == nil {
		return &backends.DeleteAllResult{Deleted: 0}, nil
	}

	meta := c.r.CollectionGet(ctx, c.dbName, c.name)
	if meta == nil {
		return &backends.DeleteAllResult{Deleted: 0}, nil
	}

	// TODO https://github.com/FerretDB/FerretDB/issues/3888

	var column string
	var placeholders []string
	var args []any

	if params.RecordIDs == nil {
		placeholders = make([]string, len(params.IDs))
		args = make([]any, len(params.IDs))

		for i, id := range params.IDs {
			placeholders[i] = "?"
			args[i] = string(must.NotFail(sjson.MarshalSingleValue(id)))
		}

		column = metadata.IDColumn
	} else {
		placeholders = make([]string, len(params.RecordIDs))
		args = make([]any, len(params.RecordIDs))

		for i, id := range params.RecordIDs {
			placeholders[i] = "?"
			args[i] = id
		}

		column = metadata.RecordIDColumn
	}

	q := fmt.Sprintf(`DELETE FROM %q WHERE %s IN (%s)`, meta.TableName, column, strings.Join(placeholders, ", "))

	res, err := db.ExecContext(ctx, q, args...)
	if err != nil {
		return nil, lazyerrors.Error(err)
	}

	ra, err := res.RowsAffected()
	if err != nil {
		return nil, lazyerrors.Error(err)
	}

	return &backends.DeleteAllResult{
		Deleted: int32(ra),
	}, nil
}

// Explain implements backends.Collection interface.
func (c *collection) Explain(ctx context.Context, params *backends.ExplainParams) (*backends.ExplainResult, error) {
	db := c.r.DatabaseGetExisting(ctx, c.dbName)
	if db == nil {
		return &backends.ExplainResult{
			QueryPlanner: must.NotFail(types.NewDocument()),
		}, nil
	}

	meta := c.r.CollectionGet(ctx, c.dbName, c.name)
	if meta == nil {
		return &backends.ExplainResult{
			QueryPlanner: must.NotFail(types.NewDocument()),
		}, nil
	}

	selectClause := prepareSelectClause(meta.TableName, "", meta.Capped(), false)

	whereClause, args := prepareWhereClause(params.Filter, meta.Settings.Indexes)
	filterPushdown := whereClause != ""

	orderByClause := prepareOrderByClause(params.Sort)
	sortPushdown := orderByClause != ""

	q := `EXPLAIN QUERY PLAN ` + selectClause + whereClause + orderByClause

	var limitPushdown bool

	if params.Limit != 0 {
		q += ` LIMIT ?`
		args = append(args, params.Limit)
		limitPushdown = true
	}

	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, lazyerrors.Error(err)
	}

	defer rows.Close()

	queryPlan, err := types.NewArray()
	if err != nil {
		return nil, lazyerrors.Error(err)
	}

	for rows.Next() {
		var id int32
		var parent int32
		var notused int32
		var detail string

		// SQLite query plan can be interpreted as a tree.
		// Each row of query plan represents a node of this tree,
		// it contains node id, parent id, auxiliary integer field, and a description.
		// See https://www.sqlite.org/eqp.html for further details.
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			return nil, lazyerrors.Error(err)
		}

		queryPlan.Append(fmt.Sprintf("id=%d parent=%d notused=%d detail=%s", id, parent, notused, detail))
	}

	return &backends.ExplainResult{
		QueryPlanner:   must.NotFail(types.NewDocument("Plan", queryPlan)),
		FilterPushdown: filterPushdown,
		SortPushdown:   sortPushdown,
		LimitPushdown:  limitPushdown,
	}, nil
}

// Stats implements backends.Collection interface.
func (c *collection) Stats(ctx context.Context, params *backends.CollectionStatsParams) (*backends.CollectionStatsResult, error) {
	db := c.r.DatabaseGetExisting(ctx, c.dbName)
	if db == nil {
		return nil, backends.NewError(
			backends.ErrorCodeCollectionDoesNotExist,
			lazyerrors.Errorf("no ns %s.%s", c.dbName, c.name),
		)
	}

	coll := c.r.CollectionGet(ctx, c.dbName, c.name)
	if coll == nil {
		return nil, backends.NewError(
			backends.ErrorCodeCollectionDoesNotExist,
			lazyerrors.Errorf("no ns %s.%s", c.dbName, c.name),
		)
	}
	stats, err := collectionsStats(ctx, db, []*metadata.Collection{coll}, params.Refresh)
	if err != nil {
		return nil, lazyerrors.Error(err)
	}

	placeholders := make([]string, 0, len(coll.Settings.Indexes))
	args := make([]any, 0, len(coll.Settings.Indexes))
	indexMap := map[string]string{}

	for _, index := range coll.Settings.Indexes {
		placeholders = append(placeholders, "?")
		args = append(args, coll.TableName+"_"+index.Name)
		indexMap[coll.TableName+"_"+index.Name] = index.Name
	}

	q := fmt.Sprintf(`
		SELECT
			name,
			pgsize
		FROM dbstat
		WHERE name IN (%s) AND aggregate = TRUE`,
		strings.Join(placeholders, ", "),
	)

	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, lazyerrors.Error(err)
	}

	defer rows.Close()

	indexSizes := make([]backends.IndexSize, len(indexMap))
	var i int

	for rows.Next() {
		var name string
		var size int64

		if err = rows.Scan(&name, &size); err != nil {
			return nil, lazyerrors.Error(err)
		}

		indexName, ok := indexMap[name]
		if !ok {
			// new index have been created since fetching metadata
			continue
		}

		indexSizes[i] = backends.IndexSize{
			Name: indexName,
			Size: size,
		}
		i++
	}

	if rows.Err() != nil {
		return nil, lazyerrors.Error(rows.Err())
	}

	return &backends.CollectionStatsResult{
		CountDocuments:  stats.countDocuments,
		SizeTotal:       stats.sizeTables + stats.sizeIndexes,
		SizeIndexes:     stats.sizeIndexes,
		SizeCollection:  stats.sizeTables,
		IndexSizes:      indexSizes,
		SizeFreeStorage: stats.sizeFreeStorage,
	}, nil
}

// Compact implements backends.Collection interface.
func (c *collection) Compact(ctx context.Context, params *backends.CompactParams) (*backends.CompactResult, error) {
	db := c.r.DatabaseGetExisting(ctx, c.dbName)
	if db == nil {
		return nil, backends.NewError(
			backends.ErrorCodeDatabaseDoesNotExist,
			lazyerrors.Errorf("no ns %s.%s", c.dbName, c.name),
		)
	}

	coll := c.r.CollectionGet(ctx, c.dbName, c.name)
	if coll == nil {
		return nil, backends.NewError(
			backends.ErrorCodeCollectionDoesNotExist,
			lazyerrors.Errorf("no ns %s.%s", c.dbName, c.name),
		)
	}

	q := `PRAGMA incremental_vacuum`
	if params != nil && params.Full {
		q = `VACUUM`
	}

	if _, err := db.ExecContext(ctx, q); err != nil {
		return nil, lazyerrors.Error(err)
	}

	return new(backends.CompactResult), nil
}

// ListIndexes implements backends.Collection interface.
func (c *collection) ListIndexes(ctx context.Context, params *backends.ListIndexesParams) (*backends.ListIndexesResult, error) {
	db := c.r.DatabaseGetExisting(ctx, c.dbName)
	if db == nil {
		return nil, backends.NewError(
			backends.ErrorCodeCollectionDoesNotExist,
			lazyerrors.Errorf("no ns %s.%s", c.dbName, c.name),
		)
	}

	coll := c.r.CollectionGet(ctx, c.dbName, c.name)
	if coll == nil {
		return nil, backends.NewError(
			backends.ErrorCodeCollectionDoesNotExist,
			lazyerrors.Errorf("no ns %s.%s", c.dbName, c.name),
		)
	}

	res := backends.ListIndexesResult{
		Indexes: make([]backends.IndexInfo, len(coll.Settings.Indexes)),
	}

	for i, index := range coll.Settings.Indexes {
		res.Indexes[i] = backends.IndexInfo{
			Name:   index.Name,
			Unique: index.Unique,
			Key:    make([]backends.IndexKeyPair, len(index.Key)),
		}

		for j, key := range index.Key {
			res.Indexes[i].Key[j] = backends.IndexKeyPair{
				Field:      key.Field,
				Descending: key.Descending,
			}
		}
	}

	sort.Slice(res.Indexes, func(i, j int) bool {
		return res.Indexes[i].Name < res.Indexes[j].Name
	})

	return &res, nil
}

// CreateIndexes implements backends.Collection interface.
func (c *collection) CreateIndexes(ctx context.Context, params *backends.CreateIndexesParams) (*backends.CreateIndexesResult, error) { //nolint:lll // for readability
	indexes := make([]metadata.IndexInfo, len(params.Indexes))
	for i, index := range params.Indexes {
		indexes[i] = metadata.IndexInfo{
			Name:   index.Name,
			Key:    make([]metadata.IndexKeyPair, len(index.Key)),
			Unique: index.Unique,
		}

		for j, key := range index.Key {
			indexes[i].Key[j] = metadata.IndexKeyPair{
				Field:      key.Field,
				Descending: key.Descending,
			}
		}
	}

	err := c.r.IndexesCreate(ctx, c.dbName, c.name, indexes)
	if err != nil {
		return nil, lazyerrors.Error(err)
	}

	return new(backends.CreateIndexesResult), nil
}

// DropIndexes implements backends.Collection interface.
func (c *collection) DropIndexes(ctx context.Context, params *backends.DropIndexesParams) (*backends.DropIndexesResult, error) {
	err := c.r.IndexesDrop(ctx, c.dbName, c.name, params.Indexes)
	if err != nil {
		return nil, lazyerrors.Error(err)
	}

	return new(backends.DropIndexesResult), nil
}

// check interfaces
var (
	_ backends.Collection = (*collection)(nil)
)

// maxArgsPushedDown keeps the WHERE clause well under SQLite's limit of bound parameters (32766).
const maxArgsPushedDown = 10_000

// condition is an equality on one path of a filter that SQLite can check: path = v or path IN (v, ...).
type condition struct {
	path string
	expr string // the path as FerretDB writes it in its index expressions
	sql  string // expr = ?N or expr IN (?N, ...)
}

// prepareWhereClause returns the WHERE clause and its arguments for the conditions of filter
// that SQLite can check on the stored JSON (see the file's header comment): _id alone if it is one,
// else every equality on a path, ordered by the index that covers most of them.
// It returns "" when there is none, and the caller reads every document.
func prepareWhereClause(filter *types.Document, indexes []metadata.IndexInfo) (string, []any) {
	var conds []condition
	var args []any

	keys, values := filter.Keys(), filter.Values()
	for i, key := range keys {
		if slices.Index(keys, key) != i || slices.Contains(keys[i+1:], key) {
			continue // a duplicate key, left to the handler
		}

		vals := pushableValues(values[i])

		switch {
		case vals == nil:
			continue
		case key == "_id" && len(vals) <= maxArgsPushedDown:
			// _id is unique and never an array: nothing else is needed.
			sql, args := equality(metadata.IDColumn, vals, nil)
			return ` WHERE ` + sql, args
		case len(args)+len(vals) <= maxArgsPushedDown && pushablePath(key):
			c := condition{path: key, expr: metadata.DefaultColumn + "->" + quotePath(key)}
			c.sql, args = equality(c.expr, vals, args)
			conds = append(conds, c)
		}
	}

	if len(conds) == 0 {
		return "", nil
	}

	// A document may match if each path equals a value, or holds an array (MongoDB matches any
	// element), or, if dotted, reaches no value but has a parent that is an array (MongoDB matches
	// the fields of its documents). That is: all conditions hold, or the first one that does not
	// holds an array (or reaches none) while those before it hold. Each term of that OR is a search
	// of the index whose leading key the conditions follow.
	conds = orderByIndex(conds, indexes)
	terms := make([]string, 0, len(conds)+1)
	var prefix []string

	for _, c := range conds {
		terms = append(terms, strings.Join(append(prefix, isArray(c.expr)), " AND "))

		if names := strings.Split(c.path, "."); len(names) > 1 {
			parents := make([]string, len(names)-1)
			for i := range parents {
				parents[i] = isArray(metadata.DefaultColumn + "->" + quotePath(strings.Join(names[:i+1], ".")))
			}

			nothing := fmt.Sprintf("%s IS NULL AND (%s)", c.expr, strings.Join(parents, " OR "))
			terms = append(terms, strings.Join(append(prefix, nothing), " AND "))
		}

		prefix = append(prefix, c.sql)
	}

	terms = append(terms, strings.Join(prefix, " AND "))

	return ` WHERE (` + strings.Join(terms, ") OR (") + `)`, args
}

// isArray returns the condition that expr is a non-empty array: the text of a JSON array, and of
// nothing else, starts with [ (0x5B), which sorts below \ (0x5C); an empty one matches no value.
func isArray(expr string) string {
	return fmt.Sprintf(`%s >= '[' AND %s < '\' AND %s <> '[]'`, expr, expr, expr)
}

// equality returns `expr = ?N` or `expr IN (?N, ...)` for vals, appending them to args.
func equality(expr string, vals []any, args []any) (string, []any) {
	placeholders := make([]string, len(vals))
	for i, v := range vals {
		args = append(args, string(must.NotFail(sjson.MarshalSingleValue(v))))
		placeholders[i] = fmt.Sprintf("?%d", len(args))
	}

	if len(vals) == 1 {
		return expr + " = " + placeholders[0], args
	}

	return fmt.Sprintf("%s IN (%s)", expr, strings.Join(placeholders, ", ")), args
}

// pushableValues returns the values v of {path: v}, {path: {$eq: v}} or {path: {$in: [v, ...]}}
// if each v is one SQLite can compare as stored: a string, an ObjectId or a bool
// (not a number, which equals numbers of other types, nor a date, null, regex or document).
// Otherwise it returns nil.
func pushableValues(v any) []any {
	op, ok := v.(*types.Document)
	if !ok {
		if !pushableValue(v) {
			return nil
		}

		return []any{v}
	}

	if op.Len() != 1 {
		return nil
	}

	if eq, _ := op.Get("$eq"); pushableValue(eq) {
		return []any{eq}
	}

	in, _ := op.Get("$in")
	arr, ok := in.(*types.Array)
	if !ok || arr.Len() == 0 {
		return nil
	}

	vals := make([]any, arr.Len())
	for i := range vals {
		if vals[i] = must.NotFail(arr.Get(i)); !pushableValue(vals[i]) {
			return nil
		}
	}

	return vals
}

// pushableValue reports whether v is a string, an ObjectId or a bool.
func pushableValue(v any) bool {
	switch v.(type) {
	case string, types.ObjectID, bool:
		return true
	default:
		return false
	}
}

// pushablePath reports whether each element of the dotted path is a name SQLite's -> reads as an
// object key and FerretDB's index expression writes as is: letters, digits and _, not starting
// with a digit (an array index) nor with FerretDB's reserved prefix (a column name).
func pushablePath(path string) bool {
	for _, name := range strings.Split(path, ".") {
		if name == "" || strings.HasPrefix(name, backends.ReservedPrefix) || (name[0] >= '0' && name[0] <= '9') {
			return false
		}

		for _, r := range name {
			if r != '_' && (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
				return false
			}
		}
	}

	return true
}

// quotePath writes a dotted path as FerretDB's CreateIndexes does: "a"->"b".
func quotePath(path string) string {
	names := strings.Split(path, ".")
	for i, name := range names {
		names[i] = fmt.Sprintf("%q", name)
	}

	return strings.Join(names, "->")
}

// orderByIndex puts first the conditions on the longest leading part of one index's key, in its
// order, then the others in the filter's order.
func orderByIndex(conds []condition, indexes []metadata.IndexInfo) []condition {
	var best []condition

	for _, index := range indexes {
		var lead []condition

		for _, key := range index.Key {
			i := slices.IndexFunc(conds, func(c condition) bool { return c.path == key.Field })
			if i < 0 {
				break
			}

			lead = append(lead, conds[i])
		}

		if len(lead) > len(best) {
			best = lead
		}
	}

	res := best
	for _, c := range conds {
		if !slices.ContainsFunc(best, func(b condition) bool { return b.path == c.path }) {
			res = append(res, c)
		}
	}

	return res
}
