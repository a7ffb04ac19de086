import type { BitrixChecklistNode, BitrixTask, BitrixTaskPerson } from '@multidesk/protocol';
import type { TaskPersonRow, TaskRecord, TaskViewer } from '../store/tasks.ts';
import { isoDateTime } from './envelope.ts';
import { taskActions } from './taskActions.ts';

const DEFAULT_ICON = '/bitrix/images/tasks/default_avatar.png';

function person(id: number, people: ReadonlyMap<number, TaskPersonRow>): BitrixTaskPerson {
  const row = people.get(id);
  return {
    id: String(id),
    name: row ? `${row.name} ${row.last_name}`.trim() : '',
    link: `/company/personal/user/${id}/`,
    icon: DEFAULT_ICON,
    workPosition: row?.work_position ?? '',
  };
}

const byId = (ids: readonly number[], people: ReadonlyMap<number, TaskPersonRow>) =>
  Object.fromEntries(ids.map((id) => [String(id), person(id, people)]));

const date = (ms: number | null) => (ms === null ? null : isoDateTime(ms));

/** What the portal does not model (see BitrixTask), as Bitrix24 shows it unset. */
const UNSET = {
  parentId: null,
  mark: null,
  multitask: 'N',
  notViewed: 'N',
  replicate: 'N',
  stageId: '0',
  sprintId: null,
  backlogId: null,
  statusChangedBy: null,
  dateStart: null,
  startDatePlan: null,
  endDatePlan: null,
  guid: '',
  xmlId: null,
  commentsCount: null,
  serviceCommentsCount: null,
  allowTimeTracking: 'N',
  taskControl: 'N',
  addInReport: 'N',
  forkedByTemplateId: null,
  timeEstimate: '0',
  timeSpentInLogs: null,
  matchWorkTime: 'N',
  forumTopicId: null,
  forumId: null,
  siteId: 's1',
  subordinate: 'N',
  exchangeModified: null,
  exchangeId: null,
  outlookVersion: '1',
  viewedDate: null,
  sorting: null,
  durationFact: null,
  isMuted: 'N',
  isPinned: 'N',
  isPinnedInGroup: 'N',
  flowId: null,
  durationPlan: null,
  durationType: 'days',
  favorite: 'N',
  groupId: '0',
  checklist: [],
  group: [],
  newCommentsCount: 0,
  checkListCanAdd: false,
} satisfies Partial<BitrixTask>;

/** The root of an empty checklist tree, as the viewer gets it. */
function emptyChecklist(viewer: number): BitrixChecklistNode {
  return {
    nodeId: 0,
    fields: {
      id: null,
      copiedId: null,
      entityId: null,
      userId: viewer,
      createdBy: null,
      parentId: null,
      title: '',
      sortIndex: null,
      displaySortIndex: '',
      isComplete: false,
      isImportant: false,
      completedCount: 0,
      members: [],
      attachments: [],
      nodeId: null,
    },
    action: [],
    descendants: [],
  };
}

/**
 * A task as Bitrix24's tasks.task.* answer it to the viewer: camelCase, ids and numbers as strings.
 * The portal keeps one date of change: it is also the last activity and the last status change.
 */
export function bitrixTask(task: TaskRecord, people: ReadonlyMap<number, TaskPersonRow>, viewer: TaskViewer): BitrixTask {
  const changed = isoDateTime(task.changed_at);
  return {
    ...UNSET,
    id: String(task.id),
    title: task.title,
    description: task.description,
    priority: String(task.priority),
    createdBy: String(task.created_by),
    createdDate: isoDateTime(task.created_at),
    responsibleId: String(task.responsible_id),
    changedBy: String(task.changed_by),
    changedDate: changed,
    closedBy: task.closed_by === null ? null : String(task.closed_by),
    closedDate: date(task.closed_at),
    activityDate: changed,
    deadline: date(task.deadline),
    // Whoever may change the task moves its deadline, the responsible too.
    allowChangeDeadline: 'Y',
    // Plain text is BBCode without tags.
    descriptionInBbcode: 'Y',
    status: String(task.status),
    statusChangedDate: changed,
    auditors: task.auditors.map(String),
    accomplices: task.accomplices.map(String),
    creator: person(task.created_by, people),
    responsible: person(task.responsible_id, people),
    accomplicesData: byId(task.accomplices, people),
    auditorsData: byId(task.auditors, people),
    action: taskActions(task, viewer),
    checkListTree: emptyChecklist(viewer.memberId),
  };
}

/** The member ids whose names a page of tasks shows. */
export function namedPeople(tasks: readonly TaskRecord[]): number[] {
  return [...new Set(tasks.flatMap((t) => [t.created_by, t.responsible_id, ...t.accomplices, ...t.auditors]))];
}
