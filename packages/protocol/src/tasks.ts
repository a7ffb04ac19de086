/**
 * Bitrix24's tasks as tasks.task.* answers them: camelCase fields, ids and numbers as strings,
 * dates as ISO 8601 with a time zone. `tasks.task.list` may leave out fields its `select` did not ask for.
 */

/** Bitrix24's task statuses (STATUS / REAL_STATUS). 1 (new) is read as 2. */
export const BITRIX_TASK_STATUS = {
  pending: 2,
  inProgress: 3,
  supposedlyCompleted: 4,
  completed: 5,
  deferred: 6,
} as const;

/** PRIORITY: 0 low, 1 normal, 2 high. */
export const BITRIX_TASK_PRIORITY = { low: 0, normal: 1, high: 2 } as const;

/** A person on a task as Bitrix24 shows the creator and the responsible. */
export interface BitrixTaskPerson {
  id: string;
  name: string;
  link: string;
  icon: string;
  workPosition: string;
}

type YesNo = 'Y' | 'N';

/** What the caller may do with a task (Bitrix24's `action`; the dotted names are its newer spellings). */
export type BitrixTaskActions = Record<
  | 'accept'
  | 'decline'
  | 'complete'
  | 'approve'
  | 'disapprove'
  | 'start'
  | 'pause'
  | 'delegate'
  | 'remove'
  | 'edit'
  | 'defer'
  | 'renew'
  | 'create'
  | 'changeDeadline'
  | 'checklistAddItems'
  | 'addFavorite'
  | 'deleteFavorite'
  | 'rate'
  | 'take'
  | 'edit.originator'
  | 'checklist.reorder'
  | 'elapsedtime.add'
  | 'dayplan.timer.toggle'
  | 'edit.plan'
  | 'checklist.add'
  | 'favorite.add'
  | 'favorite.delete',
  boolean
>;

/** One node of a task's checklist tree; the root is not an item and has no id. */
export interface BitrixChecklistNode {
  nodeId: number;
  fields: {
    id: number | null;
    copiedId: number | null;
    entityId: number | null;
    userId: number;
    createdBy: number | null;
    parentId: number | null;
    title: string;
    sortIndex: number | null;
    displaySortIndex: string;
    isComplete: boolean;
    isImportant: boolean;
    completedCount: number;
    members: unknown[];
    attachments: unknown[];
    nodeId: number | null;
  };
  action: unknown[];
  descendants: BitrixChecklistNode[];
}

/**
 * A task with every key of Bitrix24's answers. What the portal does not model (groups, comments,
 * checklists, time tracking, plans, templates, Exchange) is null, '0', 'N' or empty, as Bitrix24
 * shows it unset.
 */
export interface BitrixTask {
  id: string;
  parentId: string | null;
  title: string;
  description: string;
  mark: string | null;
  priority: string;
  multitask: YesNo;
  notViewed: YesNo;
  replicate: YesNo;
  stageId: string;
  sprintId: string | null;
  backlogId: string | null;
  createdBy: string;
  createdDate: string;
  responsibleId: string;
  changedBy: string;
  changedDate: string;
  statusChangedBy: string | null;
  closedBy: string | null;
  closedDate: string | null;
  activityDate: string;
  dateStart: string | null;
  /** ISO 8601, or null for no deadline. */
  deadline: string | null;
  startDatePlan: string | null;
  endDatePlan: string | null;
  guid: string;
  xmlId: string | null;
  commentsCount: string | null;
  serviceCommentsCount: string | null;
  allowChangeDeadline: YesNo;
  allowTimeTracking: YesNo;
  taskControl: YesNo;
  addInReport: YesNo;
  forkedByTemplateId: string | null;
  timeEstimate: string;
  timeSpentInLogs: string | null;
  matchWorkTime: YesNo;
  forumTopicId: string | null;
  forumId: string | null;
  siteId: string;
  subordinate: YesNo;
  exchangeModified: string | null;
  exchangeId: string | null;
  outlookVersion: string;
  viewedDate: string | null;
  sorting: string | null;
  durationFact: string | null;
  isMuted: YesNo;
  isPinned: YesNo;
  isPinnedInGroup: YesNo;
  flowId: string | null;
  descriptionInBbcode: YesNo;
  status: string;
  statusChangedDate: string;
  durationPlan: string | null;
  durationType: string;
  favorite: YesNo;
  groupId: string;
  auditors: string[];
  accomplices: string[];
  checklist: [];
  /** The task's workgroup: none (`groupId` 0). */
  group: [];
  creator: BitrixTaskPerson;
  responsible: BitrixTaskPerson;
  /** By user id. */
  accomplicesData: Record<string, BitrixTaskPerson>;
  auditorsData: Record<string, BitrixTaskPerson>;
  newCommentsCount: number;
  action: BitrixTaskActions;
  checkListTree: BitrixChecklistNode;
  checkListCanAdd: boolean;
  /** Only when `select` names them (UF_CRM_TASK, UF_TASK_WEBDAV_FILES, UF_MAIL_MESSAGE: any one brings all three). */
  ufCrmTask?: string[];
  ufTaskWebdavFiles?: number[];
  ufMailMessage?: null;
  /** Only when `select` names them (SUB_STATUS, TAGS, COUNTERS, DEADLINE). */
  subStatus?: string;
  tags?: [];
  counter?: BitrixTaskCounter;
  /** '1' with a deadline, '0' without. */
  lengthDeadline?: string;
  /** tasks.task.list with params WITH_TIMER_INFO, WITH_RESULT_INFO, WITH_PARSED_DESCRIPTION. */
  timeElapsed?: null;
  timerIsRunningForCurrentUser?: YesNo;
  taskRequireResult?: YesNo;
  taskHasOpenResult?: YesNo;
  taskHasResult?: YesNo;
  parsedDescription?: string;
}

/** The caller's counters of a task: `expired` is 1 while it is overdue and theirs to do. */
export interface BitrixTaskCounter {
  counters: Record<'expired' | 'newComments' | 'projectExpired' | 'projectNewComments' | 'mutedExpired' | 'mutedNewComments', number>;
  color: string;
  value: number;
}

/** `tasks.task.add`, `.get`, `.update`, `.complete`, `.renew` answer `{task}`; `.delete` answers `{task: true}`. */
export interface BitrixTaskResult {
  task: Partial<BitrixTask> & { id: string };
}

/** `tasks.task.list` answers `{tasks}`; `total` and `next` sit beside `result`, as in every list. */
export interface BitrixTaskListResult {
  tasks: (Partial<BitrixTask> & { id: string })[];
}
