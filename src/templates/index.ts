export { applyTemplateStatusUpdate, type TemplateStatusUpdate } from './status';
export { templateOutboxHandlers, TEMPLATE_NOTIFY } from './notify';
export { templateListPage, sendableTemplates, templateButtons, saveTemplateDraft, deleteTemplateDraft, type StoredTemplate } from './catalog';
export { syncAccountTemplates, type SyncResult } from './sync';
export { createTemplate, deleteTemplate, switchTemplate, refreshTemplates, checkDraft } from './manage';
export { sendTemplateMessage, normalizeWaId, missingValues, renderPreview, renderStored } from './send';
