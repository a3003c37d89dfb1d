// Asks for one fresh run of the page as soon as it is drawn.
//
// Python draws this only after a run failed on a value the browser should never have sent. That run ends
// normally, so Streamlit drops the widget values no widget claimed; this trigger then has the browser run
// the page again with its own, real values, and every part of the page (and its fragments) comes back.
export default function (component) {
  component.setTriggerValue("recover", component.data.attempt);
}
