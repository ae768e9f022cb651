import { mount } from 'svelte';
import './app.css';
import Audience from './Audience.svelte';
import { tauriBackend } from './lib/backend';

mount(Audience, { target: document.getElementById('app')!, props: { backend: tauriBackend } });
