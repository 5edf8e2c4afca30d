// Play / pause for a replay: steps the chart's own slider (a Vega-Lite parameter bound to a range input, named after
// the parameter) once per `interval` ms, in the browser; the server runs nothing. From the last frame, play starts
// again at the first; dragging the slider while playing goes on from there.
export default function (component) {
  const { data, parentElement } = component;
  const button = parentElement.querySelector("button");
  let timer = null;

  const slider = () => document.querySelector(`input[type="range"][name="${data.param}"]`);
  const show = (playing) => {
    button.textContent = playing ? data.pause : data.play;
    button.setAttribute("aria-pressed", String(playing));
  };
  const stop = () => {
    clearInterval(timer);
    timer = null;
    show(false);
  };
  const moveTo = (input, value) => {
    input.value = String(value);
    input.dispatchEvent(new Event("input", { bubbles: true }));
  };
  const step = () => {
    const input = slider();
    if (!input || Number(input.value) >= Number(input.max)) {
      stop();
      return;
    }
    moveTo(input, Number(input.value) + 1);
  };

  button.onclick = () => {
    if (timer) {
      stop();
      return;
    }
    const input = slider();
    if (!input) return;
    if (Number(input.value) >= Number(input.max)) moveTo(input, input.min);
    timer = setInterval(step, data.interval);
    show(true);
  };
  show(false);
  return () => clearInterval(timer);
}
