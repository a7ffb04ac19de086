import { BITRIX_TASK_STATUS } from '@multidesk/protocol';
import type { Executor } from '../store/schema.ts';
import { insertTask } from '../store/tasks.ts';
import { demoMembers } from './demoMembers.ts';

const HOUR = 3_600_000;
const { pending, inProgress, completed, deferred } = BITRIX_TASK_STATUS;

/** People are named by the start of their demo e-mail (`anna` is anna@example.com). */
interface DemoTask {
  title: string;
  description: string;
  by: string;
  to: string;
  /** Hours from the seeding time: negative is overdue; null, no deadline. */
  dueInHours: number | null;
  status: number;
  priority: 0 | 1 | 2;
  accomplices?: string[];
  auditors?: string[];
}

/**
 * Tasks of each demo portal, so that anna's cross-account "My tasks" has something to show: some
 * overdue, some due soon, some completed, set by colleagues and by anna herself.
 */
const DEMO_TASKS: Record<string, DemoTask[]> = {
  acme: [
    {
      title: 'Approve the Q4 marketing budget',
      description: 'Ben collected the numbers in the shared sheet.',
      by: 'ben',
      to: 'anna',
      dueInHours: -26,
      status: inProgress,
      priority: 2,
      auditors: ['olivia'],
    },
    {
      title: 'Review the new landing page mock-ups',
      description: 'Three variants; pick one by the end of the day.',
      by: 'olivia',
      to: 'anna',
      dueInHours: 5,
      status: pending,
      priority: 1,
      accomplices: ['ben'],
    },
    {
      title: 'Plan the sprint retrospective',
      description: '',
      by: 'anna',
      to: 'anna',
      dueInHours: 50,
      status: pending,
      priority: 1,
    },
    {
      title: 'Fix the checkout timeout on mobile',
      description: 'Customers on slow networks lose their basket after 30 s.',
      by: 'anna',
      to: 'ben',
      dueInHours: -4,
      status: inProgress,
      priority: 2,
      auditors: ['marcus'],
    },
    {
      title: 'Update the customer onboarding checklist',
      description: '',
      by: 'marcus',
      to: 'anna',
      dueInHours: -72,
      status: completed,
      priority: 1,
    },
    {
      title: 'Prepare the product demo for Globex',
      description: 'Slides and a live walk-through.',
      by: 'marcus',
      to: 'marcus',
      dueInHours: 30,
      status: inProgress,
      priority: 1,
      accomplices: ['anna'],
    },
    {
      title: 'Refresh the brand colours in the style guide',
      description: '',
      by: 'anna',
      to: 'olivia',
      dueInHours: null,
      status: deferred,
      priority: 0,
    },
  ],
  globex: [
    {
      title: 'Send the signed contract to the supplier',
      description: '',
      by: 'ben',
      to: 'anna',
      dueInHours: -10,
      status: pending,
      priority: 2,
    },
    {
      title: 'Check the warehouse stock report',
      description: 'Numbers for November look low on spare parts.',
      by: 'sofia',
      to: 'anna',
      dueInHours: 3,
      status: inProgress,
      priority: 1,
      auditors: ['ben'],
    },
    {
      title: 'Book the venue for the partner meetup',
      description: '',
      by: 'anna',
      to: 'marcus',
      dueInHours: 120,
      status: pending,
      priority: 1,
      auditors: ['anna'],
    },
    {
      title: 'Answer the support tickets about invoices',
      description: '',
      by: 'ben',
      to: 'sofia',
      dueInHours: 20,
      status: inProgress,
      priority: 1,
      accomplices: ['anna'],
    },
    {
      title: 'Translate the price list into German',
      description: '',
      by: 'marcus',
      to: 'anna',
      dueInHours: -48,
      status: completed,
      priority: 0,
    },
    {
      title: 'Write the monthly status update',
      description: '',
      by: 'anna',
      to: 'anna',
      dueInHours: 72,
      status: pending,
      priority: 1,
    },
  ],
  initech: [
    {
      title: 'Reconcile the October expense reports',
      description: 'Two receipts are missing from the travel claims.',
      by: 'chen',
      to: 'anna',
      dueInHours: -30,
      status: inProgress,
      priority: 2,
    },
    {
      title: 'Fill in the TPS report cover sheets',
      description: '',
      by: 'chen',
      to: 'anna',
      dueInHours: 2,
      status: pending,
      priority: 1,
      auditors: ['priya'],
    },
    {
      title: 'Analyse the churn numbers for Q3',
      description: '',
      by: 'anna',
      to: 'priya',
      dueInHours: 96,
      status: inProgress,
      priority: 1,
    },
    {
      title: 'Renew the office printer contract',
      description: '',
      by: 'priya',
      to: 'anna',
      dueInHours: -100,
      status: completed,
      priority: 0,
    },
    {
      title: 'Draft the hiring plan for next year',
      description: '',
      by: 'anna',
      to: 'anna',
      dueInHours: 8,
      status: pending,
      priority: 2,
      accomplices: ['chen'],
    },
    {
      title: 'Move the team wiki to the new server',
      description: '',
      by: 'chen',
      to: 'priya',
      dueInHours: null,
      status: deferred,
      priority: 0,
      auditors: ['anna'],
    },
  ],
};

/**
 * Adds the demo tasks each portal lacks (matched by title), so running it again changes nothing.
 * `portalIds` maps demo portal names to their ids.
 */
export async function seedDemoTasks(db: Executor, portalIds: ReadonlyMap<string, number>, now: number): Promise<void> {
  for (const [portalName, tasks] of Object.entries(DEMO_TASKS)) {
    const portalId = portalIds.get(portalName);
    if (portalId === undefined) continue;
    const members = await demoMembers(db, portalId);
    const member = (who: string): number => {
      const id = members.get(who);
      if (id === undefined) throw new Error(`demo task on ${portalName} names ${who}, who is not a member there`);
      return id;
    };
    const existing = new Set(
      (await db.selectFrom('tasks').select('title').where('portal_id', '=', portalId).execute()).map((row) => row.title),
    );
    for (const [index, task] of tasks.entries()) {
      if (existing.has(task.title)) continue;
      const createdAt = now - (7 - index) * 24 * HOUR;
      const closed = task.status === completed;
      const closedAt = closed ? now - (index + 1) * HOUR : null;
      await insertTask(
        db,
        {
          portal_id: portalId,
          title: task.title,
          description: task.description,
          status: task.status,
          priority: task.priority,
          created_by: member(task.by),
          responsible_id: member(task.to),
          deadline: task.dueInHours === null ? null : Math.floor((now + task.dueInHours * HOUR) / 1000) * 1000,
          created_at: createdAt,
          changed_by: closed ? member(task.to) : member(task.by),
          changed_at: closedAt ?? createdAt,
          closed_by: closed ? member(task.to) : null,
          closed_at: closedAt,
        },
        { accomplices: (task.accomplices ?? []).map(member), auditors: (task.auditors ?? []).map(member) },
      );
    }
  }
}
