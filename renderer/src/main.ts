import { mount } from 'svelte';
import App from './App.svelte';
import { createClient } from './lib/api/client.js';
import { Connection, LabState } from './lib/state.svelte.js';
import './app.css';

const target = document.getElementById('app');
if (!target) throw new Error('#app is missing from index.html');
const connection = new Connection();
const client = createClient(window, (s) => (connection.state = s));
mount(App, { target, props: { lab: new LabState(client), connection } });
