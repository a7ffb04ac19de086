import type { Kysely } from 'kysely';

// Frozen in time: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('tasks')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('portal_id', 'integer', (c) => c.notNull().references('portals.id').onDelete('cascade'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('status', 'integer', (c) => c.notNull())
    .addColumn('priority', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'integer', (c) => c.notNull().references('members.id'))
    .addColumn('responsible_id', 'integer', (c) => c.notNull().references('members.id'))
    .addColumn('deadline', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('changed_by', 'integer', (c) => c.notNull().references('members.id'))
    .addColumn('changed_at', 'bigint', (c) => c.notNull())
    .addColumn('closed_by', 'integer', (c) => c.references('members.id'))
    .addColumn('closed_at', 'bigint')
    .execute();
  await db.schema.createIndex('tasks_portal_responsible').on('tasks').columns(['portal_id', 'responsible_id']).execute();
  await db.schema.createIndex('tasks_portal_created_by').on('tasks').columns(['portal_id', 'created_by']).execute();
  await db.schema.createIndex('tasks_portal_deadline').on('tasks').columns(['portal_id', 'deadline']).execute();

  await db.schema
    .createTable('task_members')
    .addColumn('task_id', 'integer', (c) => c.notNull().references('tasks.id').onDelete('cascade'))
    .addColumn('member_id', 'integer', (c) => c.notNull().references('members.id'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('task_members_pk', ['task_id', 'member_id', 'role'])
    .execute();
  await db.schema.createIndex('task_members_member').on('task_members').columns(['member_id', 'task_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('task_members').execute();
  await db.schema.dropTable('tasks').execute();
}
