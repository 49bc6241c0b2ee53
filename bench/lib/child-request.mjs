// The storm figures drive their client processes by IPC: send a command, wait (bounded) for the
// reply of the given type.
export function requestFromChild(child, message, type, ms, who) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${who}: no ${type} within ${ms} ms`)), ms);
    const onMessage = (reply) => {
      if (reply?.type !== type) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(reply);
    };
    child.on('message', onMessage);
    child.send(message);
  });
}
