import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { tauriBackend } from './lib/backend';

mount(App, { target: document.getElementById('app')!, props: { backend: tauriBackend } });
