import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import './styles/base.css';
import './styles/shell.css';
import './styles/tables.css';
import './styles/pages.css';
import './styles/schedule.css';
import './styles/emergency.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
