import type { AccountView, TaskView } from '@multidesk/protocol/bridge';
import { memo } from 'react';
import { AccountPanel } from './AccountPanel.tsx';
import { SignInForm } from './SignInForm.tsx';
import { domId, type Tab } from './tabs.ts';
import { MyTasks } from './tasks/MyTasks.tsx';
import type { OpenTaskRequest } from './tasks/TasksSection.tsx';

interface Props {
  kind: Tab['kind'];
  tabKey: string;
  /** The account of an account tab. */
  account: AccountView | undefined;
  /** Its tab is the selected one. */
  current: boolean;
  /** Visited once already (or a New tab): its content is mounted, and stays so while hidden. */
  mounted: boolean;
  /** My tasks: accounts with no tab, for its hint. */
  otherAccounts: number;
  /** An account tab: a task My tasks asked to open here. */
  openTask: OpenTaskRequest | undefined;
  /** A New tab: focus its address field when it first shows. */
  autoFocus: boolean;
  onOpenTask(accountId: string, task: TaskView): void;
  onSignedIn(tabKey: string, account: AccountView): void;
}

/**
 * One tab's panel. Memoized with stable props: selecting a tab re-renders the panel that hides and
 * the one that shows, not every mounted one. A hidden panel keeps its DOM and (see workspace.css)
 * its layout and style, so showing it again costs no rebuild.
 */
export const TabPanel = memo(function TabPanel(props: Props) {
  const { kind, tabKey, account, current, mounted } = props;
  return (
    <section
      id={domId('panel', tabKey)}
      className="panel"
      role="tabpanel"
      aria-labelledby={domId('tab', tabKey)}
      hidden={!current}
      // Hidden by content-visibility, not display (workspace.css): the panel itself stays in the
      // accessibility tree unless it says it is hidden.
      aria-hidden={current ? undefined : true}
    >
      {!mounted ? null : kind === 'my-tasks' ? (
        <MyTasks active={current} otherAccounts={props.otherAccounts} onOpen={props.onOpenTask} />
      ) : kind === 'account' && account ? (
        <AccountPanel account={account} active={current} openTask={props.openTask} />
      ) : kind === 'pending' ? (
        <div className="panel-body panel-signin">
          <SignInForm autoFocus={props.autoFocus} onSignedIn={(signedIn) => props.onSignedIn(tabKey, signedIn)} />
        </div>
      ) : null}
    </section>
  );
});
