// Loaded in <head> (not deferred): marks the page as scripted before it is drawn, so controls that only
// work with JavaScript show at once and their no-script fallbacks hide without a flash.
document.documentElement.classList.add("js");
