import { mountWindow } from '../shared/mountWindow.tsx';
import { WorkspaceApp } from './WorkspaceApp.tsx';

mountWindow('workspace', <WorkspaceApp />);
