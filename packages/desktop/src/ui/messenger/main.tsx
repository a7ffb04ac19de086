import { mountWindow } from '../shared/mountWindow.tsx';
import { MessengerApp } from './MessengerApp.tsx';

mountWindow('messenger', <MessengerApp />);
