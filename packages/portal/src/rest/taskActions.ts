import { BITRIX_TASK_STATUS, type BitrixTaskActions } from '@multidesk/protocol';
import type { TaskRecord, TaskViewer } from '../store/tasks.ts';
import { canChange, canDelete } from '../tasks/taskAccess.ts';

const { pending, inProgress, completed, deferred } = BITRIX_TASK_STATUS;

/**
 * What the viewer may do with the task, by what this portal's methods do: tasks.task.update
 * (edit, start, pause, defer, delegate, deadline, creator), complete, renew and delete. It has no
 * approval, favorites, rating, checklists, timers or plans: those are never allowed.
 */
export function taskActions(task: TaskRecord, viewer: TaskViewer): BitrixTaskActions {
  const change = canChange(task, viewer);
  const remove = canDelete(task, viewer);
  const { status } = task;
  return {
    accept: false,
    decline: false,
    complete: change && status !== completed,
    approve: false,
    disapprove: false,
    start: change && status === pending,
    pause: change && status === inProgress,
    delegate: change,
    remove,
    edit: change,
    defer: change && status !== completed && status !== deferred,
    renew: change && (status === completed || status === deferred),
    create: true,
    changeDeadline: change,
    checklistAddItems: false,
    addFavorite: false,
    deleteFavorite: false,
    rate: false,
    take: false,
    'edit.originator': remove,
    'checklist.reorder': false,
    'elapsedtime.add': false,
    'dayplan.timer.toggle': false,
    'edit.plan': false,
    'checklist.add': false,
    'favorite.add': false,
    'favorite.delete': false,
  };
}
