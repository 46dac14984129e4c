import type { App, BlockAction, ButtonAction, ExternalSelectAction, StaticSelectAction } from '@slack/bolt';
import type { Deps } from '../../../context';
import { TEMPLATE_ACTIONS, TEMPLATE_VIEWS } from '../../views/templates';
import { deleteAction, deleteSubmission } from './delete';
import { addAction, backAction, formSubmission, previewSubmission } from './form';
import { openListAction, pageAction, refreshAction, toggleAction } from './list';
import { pickAction, pickOptions, sendAction, sendSubmission } from './send';

export { openSendTemplateFromCommand, openTemplatesFromCommand } from './commands';

/** Template screens: list, form → preview → submit, ON/OFF, delete, send. */
export function registerTemplateListeners(app: App, deps: Deps): void {
  app.action<BlockAction<ButtonAction>>(TEMPLATE_ACTIONS.open, openListAction(deps));
  app.action<BlockAction<ButtonAction>>(new RegExp(`^${TEMPLATE_ACTIONS.page.replace('.', '\\.')}\\.`), pageAction(deps));
  app.action<BlockAction<ButtonAction>>(TEMPLATE_ACTIONS.refresh, refreshAction(deps));
  app.action<BlockAction<ButtonAction>>(TEMPLATE_ACTIONS.toggle, toggleAction(deps));
  app.action<BlockAction<ButtonAction>>(TEMPLATE_ACTIONS.add, addAction(deps));
  app.action<BlockAction<ButtonAction>>(TEMPLATE_ACTIONS.back, backAction(deps));
  app.action<BlockAction<ButtonAction>>(TEMPLATE_ACTIONS.delete, deleteAction(deps));
  app.action<BlockAction<ButtonAction>>(TEMPLATE_ACTIONS.send, sendAction(deps));
  app.action<BlockAction<StaticSelectAction | ExternalSelectAction>>(TEMPLATE_ACTIONS.pick, pickAction(deps));
  app.options(TEMPLATE_ACTIONS.pick, pickOptions(deps));
  app.view(TEMPLATE_VIEWS.form, formSubmission(deps));
  app.view(TEMPLATE_VIEWS.preview, previewSubmission(deps));
  app.view(TEMPLATE_VIEWS.deleteConfirm, deleteSubmission(deps));
  app.view(TEMPLATE_VIEWS.send, sendSubmission(deps));
}
