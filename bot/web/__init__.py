"""The browser adapter: ``tutorbot web`` serves one page (plain HTML, CSS and a small script,
no build step, no CDN) with the transcript, completion, pictures, buttons and live progress,
on the same Tutor, command table, worker pool and database as the chat adapters."""
