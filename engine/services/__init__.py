"""The application services: the Tutor (one use case per command), lessons and quizzes
(``learning``), daily habits (``daily``) and the quiz scheduler. They speak to the world only
through ``engine.ports``; the composition root (``bot.app``) hands them the adapters."""
