import { createRoot } from 'react-dom/client';
import { App } from './App';
import { installClientErrorIntake } from './lib/clientLogs';
import './styles.css';

installClientErrorIntake();

const root = document.getElementById('root');
if (!root) throw new Error('no #root element');
createRoot(root).render(<App />);
